import { auditPage } from "@/lib/api/audit-page";
import { defineRoute } from "@/lib/auth/guards";
import { findTenantIdBySlug } from "@/lib/queries/tenants";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit — the audit trail, newest first, filtered by tenant and action, a cursor page at a time. */
export const GET = defineRoute({ access: "portal:read" }, async (request, { db }) =>
  auditPage(db, request, { resolveSlug: (slug) => findTenantIdBySlug(slug, db) }),
);
