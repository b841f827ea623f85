import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as getNocRoute } from "@/app/api/v1/noc/route";
import { isGuarded } from "@/lib/auth/guards";
import type { Database } from "@/lib/db/client";
import type { NocSnapshot } from "@/lib/queries/noc";
import { forgetNocSnapshot } from "@/lib/queries/noc-cache";
import { callRoute, useTestApp, type Persona } from "./support/personas";

// A route without params; callRoute's handler type is written for routes with them.
const getNoc = getNocRoute as never;

let db: Database;
beforeAll(async () => {
  db = await useTestApp();
});

describe("GET /api/v1/noc", () => {
  it("is guarded", () => {
    expect(isGuarded(getNocRoute)).toBe(true);
  });

  it.each<[Persona, number]>([
    ["anonymous", 401],
    ["expired", 401],
    ["revokedDisplay", 401],
    ["alice", 403],
    ["bob", 403],
    ["display", 200],
    ["noc", 200],
    ["admin", 200],
  ])("answers %s with %i", async (as, status) => {
    const response = await callRoute(getNoc, { as, path: "/api/v1/noc" });
    expect(response.status).toBe(status);
    // The snapshot may be kept by the browser and asked about again (ETag); a refusal is not kept.
    expect(response.headers.get("cache-control")).toBe(status === 200 ? "private, no-cache" : "no-store");
  });

  it("answers a wall that holds the current snapshot with 304 and no body, after authorizing it", async () => {
    // One instant for both requests, and a kept snapshot read at that instant: one the tests
    // before left could be 5 s old by now (a slow run; here 6 s is forced), and the first request
    // would refresh it in the background, landing before the second with a new ETag.
    await forgetNocSnapshot(db);
    const now = vi.spyOn(Date, "now").mockReturnValue(Date.now() + 6_000);
    try {
      const first = await callRoute(getNoc, { as: "display", path: "/api/v1/noc" });
      const etag = first.headers.get("etag");
      expect(first.status).toBe(200);
      expect(etag).toMatch(/^".+"$/);
      // How old the kept snapshot is, for the wall's telemetry age: whole seconds since its generatedAt.
      const body = (await first.json()) as NocSnapshot;
      expect(first.headers.get("age")).toBe(String(Math.floor((Date.now() - Date.parse(body.generatedAt)) / 1000)));
      const again = await callRoute(getNoc, { as: "display", path: "/api/v1/noc", headers: { "if-none-match": etag! } });
      expect(again.status).toBe(304);
      expect(again.headers.get("age")).toBe(first.headers.get("age"));
      expect(await again.text()).toBe("");
      // The ETag is no way around the sign-in: without a session the answer is still 401.
      const anonymous = await callRoute(getNoc, { as: "anonymous", path: "/api/v1/noc", headers: { "if-none-match": etag! } });
      expect(anonymous.status).toBe(401);
      // Nor around the fleet permission: a tenant's user holding it is refused, and told no ETag.
      const tenantUser = await callRoute(getNoc, { as: "alice", path: "/api/v1/noc", headers: { "if-none-match": etag! } });
      expect(tenantUser.status).toBe(403);
      expect(tenantUser.headers.get("etag")).toBeNull();
    } finally {
      now.mockRestore();
    }
  });

  it("gives a display the whole fleet without a tenant's contacts or addresses", async () => {
    const response = await callRoute(getNoc, { as: "display", path: "/api/v1/noc" });
    const text = await response.text();
    const snapshot = JSON.parse(text) as NocSnapshot;
    expect(snapshot.tiles.map((t) => t.label)).toContain("contoso/primary");
    expect(snapshot.tiles.map((t) => t.label)).toContain("fabrikam/primary");
    // The demo tenants' contacts (alice@contoso.example, …) and gateway addresses stay out.
    expect(text).not.toMatch(/@/);
    expect(text).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(text).not.toContain("Alice");
  });
});
