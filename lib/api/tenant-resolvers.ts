/**
 * Tenant resolvers for route guards: the tenant a URL's resource belongs to, or null (404). A
 * malformed id is simply not found, never a database error.
 */
import "server-only";
import { findTenantIdByWarning } from "@/lib/commands/acknowledge-warnings";
import type { Database } from "@/lib/db/client";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { findTenantIdByEndpoint } from "@/lib/queries/tunnels";
import { isUuid } from "@/lib/validation/api";

export const tenantOfSlug = ({ slug }: { slug: string }, db: Database) => findTenantIdBySlug(slug, db);
export const tenantOfEndpoint = async ({ id }: { id: string }, db: Database) => (isUuid(id) ? findTenantIdByEndpoint(id, db) : null);
export const tenantOfWarning = async ({ id }: { id: string }, db: Database) => (isUuid(id) ? findTenantIdByWarning(id, db) : null);
