/**
 * What both download routes share: load the tunnel's context with its secrets, and audit the
 * download in the same breath (who took which files; never the secrets themselves).
 */
import "server-only";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import { readConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { getSecretsKey } from "@/lib/secrets";
import { findTenantIdByTunnel, loadGatewayContext, type LoadedContext } from "./load-context";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** For the route guard: a malformed id is simply no tunnel (404), not a database error. */
export async function tenantOfTunnel({ id }: { id: string }, db: Database): Promise<string | null> {
  return UUID.test(id) ? findTenantIdByTunnel(id, db) : null;
}

export async function loadForDownload(db: Database, tunnelId: string): Promise<LoadedContext> {
  const config = readConfig();
  return loadGatewayContext(db, tunnelId, { secretsKey: getSecretsKey(config), consoleUrl: config.publicUrl });
}

export async function auditDownload(db: Database, principal: Principal, loaded: Extract<LoadedContext, { ok: true }>, tunnelId: string, files: string[]) {
  await recordAudit(db, principal, {
    action: "gateway-config.download",
    entityType: "tunnel",
    entityId: tunnelId,
    tenantId: loaded.tenantId,
    after: { tunnel: loaded.tunnelName, files },
  });
}

export const downloadHeaders = (fileName: string, type: string) => ({
  "content-type": type,
  "content-disposition": `attachment; filename="${fileName}"`,
  // Secrets inside: never stored by a cache or a proxy.
  "cache-control": "no-store, private",
  "x-content-type-options": "nosniff",
});
