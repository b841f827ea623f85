/**
 * In Entra mode the automation API also takes an app's client-credentials access token with app
 * roles. The console fetches the tenant's keys over TLS from a stand-in tenant on loopback
 * (tests/support/entra-tenant.ts) exactly as it would from Entra; each way such a token can be
 * wrong is refused, an accepted call is audited under the app, and roles map to token scopes.
 */
import { and, eq } from "drizzle-orm";
import { base64url, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as listClouds } from "@/app/api/v1/private-clouds/route";
import { POST as onboardTenant } from "@/app/api/v1/tenants/route";
import type { Database } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { startEntraTenant, type EntraTenant } from "./support/entra-tenant";
import { useTestApp } from "./support/personas";

const TENANT_ID = "0d6c2a5e-1b7f-4c1e-9a57-3f1f6f1c7a01";
const CLIENT_ID = "5b0f8a3c-8d8e-4b2a-9c1e-6a1d3f0e2b11";
const APP_ID = "7e2c4d19-3a5b-4f60-8b71-c2d9e0f1a322";

let db: Database;
let entra: EntraTenant;

/** What Entra puts in a v2 app-only token for an app granted Bridgehead.Read. */
function appClaims(overrides: Record<string, unknown> = {}) {
  return { iss: entra.issuerV2, aud: CLIENT_ID, tid: TENANT_ID, azp: APP_ID, azpacr: "1", oid: "sp-object-id", sub: "sp-object-id", idtyp: "app", roles: ["Bridgehead.Read"], ...overrides };
}

async function list(token: string) {
  return callApi(listClouds, { token, path: "/api/v1/private-clouds" });
}

async function detailOf(response: Response): Promise<string> {
  return ((await response.json()) as { detail: string }).detail;
}

beforeAll(async () => {
  entra = await startEntraTenant(TENANT_ID);
  vi.stubEnv("ENTRA_TENANT_ID", TENANT_ID);
  vi.stubEnv("ENTRA_CLIENT_ID", CLIENT_ID);
  vi.stubEnv("ENTRA_AUTHORITY", entra.authority);
  db = await useTestApp();
});

afterAll(async () => {
  await entra?.stop();
});

describe("an Entra app's client-credentials token", () => {
  it("with Bridgehead.Read reads, and the call is audited under the app's client id", async () => {
    const response = await list(await entra.sign(appClaims()));
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty("items");
    const rows = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "api.call"), eq(auditEvents.actor, `app:${APP_ID}`)));
    expect(rows.map((r) => ({ type: r.entityType, id: r.entityId, after: r.after }))).toContainEqual({
      type: "entra-app",
      id: APP_ID,
      after: { method: "GET", path: "/api/v1/private-clouds", status: 200 },
    });
  });

  it("in the v1 shape (iss sts-style, aud = Application ID URI, appid, app_displayname) is accepted and named in the audit", async () => {
    const v1 = { ...appClaims({ iss: entra.issuerV1, aud: `api://${CLIENT_ID}`, appid: APP_ID, app_displayname: "netbox-sync" }), azp: undefined, idtyp: undefined };
    const response = await list(await entra.sign(v1));
    expect(response.status).toBe(200);
    const rows = await db.select().from(auditEvents).where(eq(auditEvents.actor, `app:${APP_ID}`));
    expect(rows.map((r) => r.after)).toContainEqual({ method: "GET", path: "/api/v1/private-clouds", status: 200, appName: "netbox-sync" });
  });

  it("with only Bridgehead.Read is refused a write route (403), and that refusal is audited too", async () => {
    const response = await callApi(onboardTenant, { token: await entra.sign(appClaims()), method: "POST", path: "/api/v1/tenants", body: {} });
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatch(/needs the app role Bridgehead\.Write/);
    const rows = await db.select().from(auditEvents).where(eq(auditEvents.actor, `app:${APP_ID}`));
    expect(rows.map((r) => r.after)).toContainEqual({ method: "POST", path: "/api/v1/tenants", status: 403 });
  });

  it("with Bridgehead.Write gets past the guard to the route's own validation", async () => {
    const token = await entra.sign(appClaims({ roles: ["Bridgehead.Write"] }));
    const response = await callApi(onboardTenant, { token, method: "POST", path: "/api/v1/tenants", body: {} });
    // 400 naming the missing fields: the guard let the write through, the schema stopped the empty body.
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/slug/);
  });

  it("with no Bridgehead role is refused with 403 saying which roles to assign", async () => {
    const response = await list(await entra.sign(appClaims({ roles: ["Some.OtherApi.Role"] })));
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatch(/Bridgehead\.Read or Bridgehead\.Write/);
  });

  it.each([
    ["a user's delegated token (scp)", () => appClaims({ scp: "user_impersonation", idtyp: undefined }), /delegated token/],
    ["another tenant (tid)", () => appClaims({ tid: "11111111-2222-4333-8444-555555555555" }), /another tenant/],
    ["another tenant's issuer", () => appClaims({ iss: entra.issuerV2.replace(TENANT_ID, "11111111-2222-4333-8444-555555555555") }), /issued by another tenant/],
    ["another audience", () => appClaims({ aud: "api://some-other-api" }), /for another API/],
    ["an expired token (past the skew)", () => appClaims({ exp: Math.floor(Date.now() / 1000) - 600 }), /expired/],
    ["a token not valid yet (past the skew)", () => appClaims({ nbf: Math.floor(Date.now() / 1000) + 600 }), /not valid yet/],
    ["no tenant id at all", () => appClaims({ tid: undefined }), /another tenant/],
  ])("is refused with 401 when it is %s", async (_case, claims, detail) => {
    const response = await list(await entra.sign(claims()));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/invalid_token/);
    expect(await detailOf(response)).toMatch(detail);
  });

  it("is refused with 401 when signed by a key that is not the tenant's, even under the tenant's key id", async () => {
    const forger = await generateKeyPair("RS256");
    const response = await list(await entra.sign(appClaims(), { key: forger.privateKey }));
    expect(response.status).toBe(401);
    expect(await detailOf(response)).toMatch(/not an API token .* and not an Entra access token signed by the console's tenant/);
  });

  it("is refused with 401 unsigned (alg none) or HMAC-signed with the tenant's public key (algorithm confusion)", async () => {
    const encode = (part: object) => base64url.encode(JSON.stringify(part));
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...appClaims({ roles: ["Bridgehead.Write"] }), iat: now, nbf: now, exp: now + 3600 };
    const unsigned = `${encode({ alg: "none", typ: "JWT", kid: "tenant-key-1" })}.${encode(claims)}.AA`;
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: "tenant-key-1" })
      .sign(new TextEncoder().encode(JSON.stringify(entra.publicJwk)));
    for (const token of [unsigned, hmac]) {
      const response = await list(token);
      expect(response.status).toBe(401);
      expect(await detailOf(response)).toMatch(/not an Entra access token signed by the console's tenant/);
    }
  });

  it("does not fetch the keys again for every unknown key id a caller makes up (one refetch per cooldown)", async () => {
    const forger = await generateKeyPair("RS256");
    expect((await list(await entra.sign(appClaims()))).status).toBe(200);
    const before = entra.keyFetches();
    // The clock stands still: every forged kid below arrives within one cooldown.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      for (let i = 0; i < 10; i += 1) expect((await list(await entra.sign(appClaims(), { key: forger.privateKey, kid: `forged-${i}` }))).status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
    expect(entra.keyFetches() - before).toBeLessThanOrEqual(1);
  });

  it("is accepted a little after expiry (clock skew) but not long after", async () => {
    const justExpired = await entra.sign(appClaims({ exp: Math.floor(Date.now() / 1000) - 20 }));
    expect((await list(justExpired)).status).toBe(200);
  });

  it("costs one fetch of the tenant's keys however many calls are made (the key set is cached)", async () => {
    for (let call = 0; call < 5; call += 1) expect((await list(await entra.sign(appClaims()))).status).toBe(200);
    expect(entra.keyFetches()).toBe(1);
  });

  it("leaves API tokens working beside it", async () => {
    const { token } = await makeApiToken({ name: "beside-entra", scope: "read" });
    expect((await list(token)).status).toBe(200);
  });
});
