/**
 * What happens to downloads and the tenant page when a stored secret cannot be decrypted (the
 * secrets key was changed or lost, or one row was restored from another installation): the
 * operator and the tenant get a clear refusal that says what to do, never a 500, and the page
 * that lists the downloads still renders. The error must not carry the ciphertext or key detail
 * to the browser.
 */
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as getBundle } from "@/app/api/v1/tunnels/[id]/bundle/route";
import { GET as getFile } from "@/app/api/v1/tunnels/[id]/files/route";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { listTunnelDownloads } from "@/lib/queries/gateway-files";
import { encryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import { callRoute, useTestApp } from "./support/personas";

let db: Database;
let contosoId: string;
let tunnelId: string;
let foreignCiphertext: string;

beforeAll(async () => {
  db = await useTestApp();
  const [contoso] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "contoso"));
  contosoId = contoso!.id;
  const [tunnel] = await db.select({ id: tunnels.id }).from(tunnels).where(and(eq(tunnels.tenantId, contosoId), eq(tunnels.ordinal, 1)));
  tunnelId = tunnel!.id;
  // A well-formed token, encrypted under a key this console does not have.
  foreignCiphertext = await encryptSecret(`agt_${"Z".repeat(43)}`, randomBytes(32), SECRET_PURPOSE.agentToken);
  await db
    .update(tunnelEndpoints)
    .set({ agentTokenCiphertext: foreignCiphertext })
    .where(and(eq(tunnelEndpoints.tunnelId, tunnelId), eq(tunnelEndpoints.side, "source")));
});

describe("a stored secret the current secrets key cannot read", () => {
  it.each([
    ["bundle", getBundle, `/api/v1/tunnels/{id}/bundle`],
    ["single file", getFile, `/api/v1/tunnels/{id}/files?path=source/agent/bridgehead-agent.env`],
  ] as const)("refuses the %s download with 409 and what to do, not a 500", async (_, handler, template) => {
    for (const as of ["admin", "alice"] as const) {
      const response = await callRoute(handler as never, { as, path: template.replace("{id}", tunnelId), params: { id: tunnelId } });
      expect(response.status, as).toBe(409);
      const body = (await response.json()) as { error: string };
      expect(body.error).toMatch(/secrets key/);
      expect(body.error).not.toContain(foreignCiphertext.slice(0, 20));
    }
  });

  it("leaves the tenant page's download list standing, with the reason in place of the files", async () => {
    const listed = await listTunnelDownloads(db, contosoId, { mayDownload: true });
    const item = listed.find((t) => t.id === tunnelId);
    expect(item?.targets).toBeNull();
    expect(item?.unavailable).toMatch(/secrets key/);
  });
});
