/**
 * API tokens at every door: each scope (read/write, every tenant or one) against each operation
 * the OpenAPI document lists, another tenant's ids answered 404, and expired, revoked and unknown
 * tokens 401. The expected answer is derived from the document's own x-token-scope and
 * x-fleet-wide, so the published contract and the guards cannot disagree.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import * as audit from "@/app/api/v1/audit/route";
import * as auditExport from "@/app/api/v1/audit/export/route";
import * as fleet from "@/app/api/v1/fleet/route";
import * as noc from "@/app/api/v1/noc/route";
import * as clouds from "@/app/api/v1/private-clouds/route";
import * as tenantList from "@/app/api/v1/tenants/route";
import * as tenant from "@/app/api/v1/tenants/[slug]/route";
import * as tenantAudit from "@/app/api/v1/tenants/[slug]/audit/route";
import * as segment from "@/app/api/v1/tenants/[slug]/segment/route";
import * as stretch from "@/app/api/v1/tenants/[slug]/stretch/route";
import * as teardown from "@/app/api/v1/tenants/[slug]/teardown/route";
import * as stretchPlan from "@/app/api/v1/tenants/[slug]/stretch/plan/route";
import * as stretchCancel from "@/app/api/v1/tenants/[slug]/stretch/cancel-plan/route";
import * as stretchCutOver from "@/app/api/v1/tenants/[slug]/stretch/cut-over/route";
import * as stretchRollBack from "@/app/api/v1/tenants/[slug]/stretch/roll-back/route";
import * as stretchUnextend from "@/app/api/v1/tenants/[slug]/stretch/unextend/route";
import * as segmentRetry from "@/app/api/v1/tenants/[slug]/segment/retry/route";
import * as tenantTunnels from "@/app/api/v1/tenants/[slug]/tunnels/route";
import * as tenantWarnings from "@/app/api/v1/tenants/[slug]/warnings/route";
import * as agentToken from "@/app/api/v1/tunnel-endpoints/[id]/agent-token/route";
import * as tunnel from "@/app/api/v1/tunnels/[id]/route";
import * as bundle from "@/app/api/v1/tunnels/[id]/bundle/route";
import * as files from "@/app/api/v1/tunnels/[id]/files/route";
import * as paths from "@/app/api/v1/tunnels/[id]/paths/route";
import * as series from "@/app/api/v1/tunnels/[id]/series/route";
import * as pool from "@/app/api/v1/vlan-pools/[cloudId]/route";
import * as available from "@/app/api/v1/vlan-pools/[cloudId]/available-vlans/route";
import * as nextVlan from "@/app/api/v1/vlan-pools/[cloudId]/next-vlan/route";
import * as warningList from "@/app/api/v1/warnings/route";
import * as acknowledge from "@/app/api/v1/warnings/[id]/acknowledge/route";
import * as imports from "@/app/api/v1/tenant-imports/route";
import * as telemetry from "@/app/api/v1/telemetry/route";
import * as channels from "@/app/api/v1/notification-channels/route";
import * as channel from "@/app/api/v1/notification-channels/[id]/route";
import * as tenantChannels from "@/app/api/v1/tenants/[slug]/notification-channels/route";
import * as tenantChannel from "@/app/api/v1/tenants/[slug]/notification-channels/[id]/route";
import * as silences from "@/app/api/v1/silences/route";
import * as silence from "@/app/api/v1/silences/[id]/route";
import * as tenantSilences from "@/app/api/v1/tenants/[slug]/silences/route";
import * as tenantSilence from "@/app/api/v1/tenants/[slug]/silences/[id]/route";
import { revokeApiToken } from "@/lib/actions/api-tokens/revoke-api-token";
import { openApiDocument } from "@/lib/api/openapi/document";
import type { Database } from "@/lib/db/client";
import { apiTokens, auditEvents, notificationChannels, notificationSilences, segments, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { callAction, useTestApp } from "./support/personas";

type Handler = (request: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Target = "own" | "other";
type Fixture = { slug: string; tunnelId: string; endpointId: string; warningId: string; channelId: string; silenceId: string };

let db: Database;
let cloudId: string;
let operatorChannelId: string;
let operatorSilenceId: string;
let fixtures: Record<Target, Fixture>;
const tokens: Record<string, { token: string; scope: "read" | "write"; tenant: boolean }> = {};

/**
 * One request per documented operation. `allowed`: what a caller who may call it gets; chosen so
 * nothing lasting changes (bad bodies answer 400, already-handled resources 409).
 */
type Case = { method: string; path: string; handler: Handler; request: (t: Fixture) => { url: string; params: Record<string, string>; body?: unknown }; allowed: number };

const CASES: Case[] = [
  { method: "get", path: "/api/v1/tenants", handler: tenantList.GET as Handler, request: () => ({ url: "/api/v1/tenants", params: {} }), allowed: 200 },
  { method: "post", path: "/api/v1/tenants", handler: tenantList.POST as Handler, request: () => ({ url: "/api/v1/tenants", params: {}, body: { slug: "X" } }), allowed: 400 },
  { method: "post", path: "/api/v1/tenant-imports", handler: imports.POST as Handler, request: () => ({ url: "/api/v1/tenant-imports", params: {}, body: { tenants: [] } }), allowed: 400 },
  { method: "get", path: "/api/v1/tenants/{slug}", handler: tenant.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}`, params: { slug: t.slug } }), allowed: 200 },
  { method: "patch", path: "/api/v1/tenants/{slug}", handler: tenant.PATCH as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}`, params: { slug: t.slug }, body: { underlayMtu: 10 } }), allowed: 400 },
  { method: "delete", path: "/api/v1/tenants/{slug}", handler: tenant.DELETE as Handler, request: () => ({ url: "/api/v1/tenants/gone", params: { slug: "gone" } }), allowed: 409 },
  { method: "get", path: "/api/v1/tenants/{slug}/segment", handler: segment.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/segment`, params: { slug: t.slug } }), allowed: 200 },
  { method: "post", path: "/api/v1/tenants/{slug}/segment/retry", handler: segmentRetry.POST as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/segment/retry`, params: { slug: t.slug } }), allowed: 409 },
  { method: "get", path: "/api/v1/tenants/{slug}/stretch", handler: stretch.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/stretch`, params: { slug: t.slug } }), allowed: 200 },
  // The steps without If-Match: a caller who may take them is told to name the stretch it read (428), and nothing moves.
  ...([["plan", stretchPlan], ["cancel-plan", stretchCancel], ["cut-over", stretchCutOver], ["roll-back", stretchRollBack], ["unextend", stretchUnextend]] as const).map(
    ([step, route]): Case => ({ method: "post", path: `/api/v1/tenants/{slug}/stretch/${step}`, handler: route.POST as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/stretch/${step}`, params: { slug: t.slug }, body: {} }), allowed: 428 }),
  ),
  // Not unextended: nothing to download yet, said as a conflict (a refusal would be 404 or 403).
  { method: "get", path: "/api/v1/tenants/{slug}/teardown", handler: teardown.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/teardown`, params: { slug: t.slug } }), allowed: 409 },
  { method: "get", path: "/api/v1/tenants/{slug}/warnings", handler: tenantWarnings.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/warnings`, params: { slug: t.slug } }), allowed: 200 },
  { method: "get", path: "/api/v1/tenants/{slug}/audit", handler: tenantAudit.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/audit`, params: { slug: t.slug } }), allowed: 200 },
  { method: "post", path: "/api/v1/tenants/{slug}/tunnels", handler: tenantTunnels.POST as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/tunnels`, params: { slug: t.slug }, body: { name: "Bad Name" } }), allowed: 400 },
  { method: "delete", path: "/api/v1/tunnels/{id}", handler: tunnel.DELETE as Handler, request: () => ({ url: `/api/v1/tunnels/${crypto.randomUUID()}`, params: { id: crypto.randomUUID() } }), allowed: 404 },
  { method: "get", path: "/api/v1/tunnels/{id}/bundle", handler: bundle.GET as Handler, request: (t) => ({ url: `/api/v1/tunnels/${t.tunnelId}/bundle`, params: { id: t.tunnelId } }), allowed: 200 },
  { method: "get", path: "/api/v1/tunnels/{id}/files", handler: files.GET as Handler, request: (t) => ({ url: `/api/v1/tunnels/${t.tunnelId}/files`, params: { id: t.tunnelId } }), allowed: 400 },
  { method: "get", path: "/api/v1/tunnels/{id}/series", handler: series.GET as Handler, request: (t) => ({ url: `/api/v1/tunnels/${t.tunnelId}/series?range=1h`, params: { id: t.tunnelId } }), allowed: 200 },
  { method: "get", path: "/api/v1/tunnels/{id}/paths", handler: paths.GET as Handler, request: (t) => ({ url: `/api/v1/tunnels/${t.tunnelId}/paths`, params: { id: t.tunnelId } }), allowed: 200 },
  { method: "post", path: "/api/v1/tunnel-endpoints/{id}/agent-token", handler: agentToken.POST as Handler, request: (t) => ({ url: `/api/v1/tunnel-endpoints/${t.endpointId}/agent-token`, params: { id: t.endpointId } }), allowed: 201 },
  { method: "get", path: "/api/v1/warnings", handler: warningList.GET as Handler, request: () => ({ url: "/api/v1/warnings?severity=info", params: {} }), allowed: 200 },
  { method: "post", path: "/api/v1/warnings/{id}/acknowledge", handler: acknowledge.POST as Handler, request: (t) => ({ url: `/api/v1/warnings/${t.warningId}/acknowledge`, params: { id: t.warningId } }), allowed: 409 },
  { method: "get", path: "/api/v1/audit", handler: audit.GET as Handler, request: () => ({ url: "/api/v1/audit", params: {} }), allowed: 200 },
  { method: "get", path: "/api/v1/audit/export", handler: auditExport.GET as Handler, request: () => ({ url: "/api/v1/audit/export?format=jsonl&action=api-token.create", params: {} }), allowed: 200 },
  { method: "get", path: "/api/v1/private-clouds", handler: clouds.GET as Handler, request: () => ({ url: "/api/v1/private-clouds", params: {} }), allowed: 200 },
  { method: "get", path: "/api/v1/vlan-pools/{cloudId}", handler: pool.GET as Handler, request: () => ({ url: `/api/v1/vlan-pools/${cloudId}`, params: { cloudId } }), allowed: 200 },
  { method: "put", path: "/api/v1/vlan-pools/{cloudId}", handler: pool.PUT as Handler, request: () => ({ url: `/api/v1/vlan-pools/${cloudId}`, params: { cloudId }, body: { ranges: "5000-6000", reserved: "", quarantineDays: 1 } }), allowed: 400 },
  { method: "get", path: "/api/v1/vlan-pools/{cloudId}/available-vlans", handler: available.GET as Handler, request: () => ({ url: `/api/v1/vlan-pools/${cloudId}/available-vlans`, params: { cloudId } }), allowed: 200 },
  { method: "get", path: "/api/v1/vlan-pools/{cloudId}/next-vlan", handler: nextVlan.GET as Handler, request: () => ({ url: `/api/v1/vlan-pools/${cloudId}/next-vlan`, params: { cloudId } }), allowed: 200 },
  // Notifications: bad bodies 400, ended silences 409, unknown channels 404; nothing lasting changes.
  { method: "get", path: "/api/v1/notification-channels", handler: channels.GET as Handler, request: () => ({ url: "/api/v1/notification-channels", params: {} }), allowed: 200 },
  { method: "post", path: "/api/v1/notification-channels", handler: channels.POST as Handler, request: () => ({ url: "/api/v1/notification-channels", params: {}, body: { kind: "webhook" } }), allowed: 400 },
  { method: "get", path: "/api/v1/notification-channels/{id}", handler: channel.GET as Handler, request: () => ({ url: `/api/v1/notification-channels/${operatorChannelId}`, params: { id: operatorChannelId } }), allowed: 200 },
  { method: "put", path: "/api/v1/notification-channels/{id}", handler: channel.PUT as Handler, request: () => ({ url: `/api/v1/notification-channels/${operatorChannelId}`, params: { id: operatorChannelId }, body: { kind: "webhook" } }), allowed: 400 },
  { method: "delete", path: "/api/v1/notification-channels/{id}", handler: channel.DELETE as Handler, request: () => ({ url: `/api/v1/notification-channels/${crypto.randomUUID()}`, params: { id: crypto.randomUUID() } }), allowed: 404 },
  { method: "get", path: "/api/v1/tenants/{slug}/notification-channels", handler: tenantChannels.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/notification-channels`, params: { slug: t.slug } }), allowed: 200 },
  { method: "post", path: "/api/v1/tenants/{slug}/notification-channels", handler: tenantChannels.POST as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/notification-channels`, params: { slug: t.slug }, body: { kind: "webhook" } }), allowed: 400 },
  { method: "get", path: "/api/v1/tenants/{slug}/notification-channels/{id}", handler: tenantChannel.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/notification-channels/${t.channelId}`, params: { slug: t.slug, id: t.channelId } }), allowed: 200 },
  { method: "put", path: "/api/v1/tenants/{slug}/notification-channels/{id}", handler: tenantChannel.PUT as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/notification-channels/${t.channelId}`, params: { slug: t.slug, id: t.channelId }, body: { kind: "webhook" } }), allowed: 400 },
  { method: "delete", path: "/api/v1/tenants/{slug}/notification-channels/{id}", handler: tenantChannel.DELETE as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/notification-channels/${operatorChannelId}`, params: { slug: t.slug, id: operatorChannelId } }), allowed: 404 },
  { method: "get", path: "/api/v1/silences", handler: silences.GET as Handler, request: () => ({ url: "/api/v1/silences", params: {} }), allowed: 200 },
  { method: "post", path: "/api/v1/silences", handler: silences.POST as Handler, request: () => ({ url: "/api/v1/silences", params: {}, body: { durationHours: 1 } }), allowed: 400 },
  { method: "delete", path: "/api/v1/silences/{id}", handler: silence.DELETE as Handler, request: () => ({ url: `/api/v1/silences/${operatorSilenceId}`, params: { id: operatorSilenceId } }), allowed: 409 },
  { method: "get", path: "/api/v1/tenants/{slug}/silences", handler: tenantSilences.GET as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/silences`, params: { slug: t.slug } }), allowed: 200 },
  { method: "post", path: "/api/v1/tenants/{slug}/silences", handler: tenantSilences.POST as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/silences`, params: { slug: t.slug }, body: { durationHours: 1 } }), allowed: 400 },
  { method: "delete", path: "/api/v1/tenants/{slug}/silences/{id}", handler: tenantSilence.DELETE as Handler, request: (t) => ({ url: `/api/v1/tenants/${t.slug}/silences/${t.silenceId}`, params: { slug: t.slug, id: t.silenceId } }), allowed: 409 },
  { method: "get", path: "/api/v1/fleet", handler: fleet.GET as Handler, request: () => ({ url: "/api/v1/fleet", params: {} }), allowed: 200 },
  { method: "get", path: "/api/v1/noc", handler: noc.GET as Handler, request: () => ({ url: "/api/v1/noc", params: {} }), allowed: 200 },
];

type DocumentedOperation = { "x-token-scope"?: "read" | "write"; "x-fleet-wide"?: boolean };

function expectedStatus(c: Case, token: { scope: "read" | "write"; tenant: boolean }, target: Target): number {
  const operation = (openApiDocument().paths as Record<string, Record<string, DocumentedOperation>>)[c.path]![c.method]!;
  const needsWrite = operation["x-token-scope"] === "write";
  if (operation["x-fleet-wide"]) return token.tenant || (needsWrite && token.scope === "read") ? 403 : c.allowed;
  if (token.tenant && target === "other") return 404;
  return needsWrite && token.scope === "read" ? 403 : c.allowed;
}

async function fixtureFor(slug: string): Promise<Fixture> {
  const [row] = await db
    .select({ tenantId: tenants.id, tunnelId: tunnels.id, endpointId: tunnelEndpoints.id })
    .from(tenants)
    .innerJoin(tunnels, eq(tunnels.tenantId, tenants.id))
    .innerJoin(tunnelEndpoints, eq(tunnelEndpoints.tunnelId, tunnels.id))
    .where(eq(tenants.slug, slug));
  // Already acknowledged: acknowledging again answers 409 and changes nothing.
  const [warning] = await db
    .insert(warnings)
    .values({ tenantId: row!.tenantId, kind: "loss", severity: "warning", state: "acknowledged", dedupeKey: `loss:authz:${slug}`, message: "Loss 5 %" })
    .returning({ id: warnings.id });
  const [channelRow] = await db
    .insert(notificationChannels)
    .values({ tenantId: row!.tenantId, kind: "webhook", name: `${slug} hook`, settings: { kind: "webhook", url: `https://${slug}.example/hook` }, createdBy: "test" })
    .returning({ id: notificationChannels.id });
  // Already ended: ending it again answers 409 and changes nothing.
  const [silenceRow] = await db
    .insert(notificationSilences)
    .values({ ownerTenantId: row!.tenantId, tenantId: row!.tenantId, startsAt: new Date(Date.now() - 7200_000), endsAt: new Date(Date.now() - 3600_000), reason: "ended", createdBy: "test" })
    .returning({ id: notificationSilences.id });
  return { slug, tunnelId: row!.tunnelId, endpointId: row!.endpointId, warningId: warning!.id, channelId: channelRow!.id, silenceId: silenceRow!.id };
}

beforeAll(async () => {
  db = await useTestApp();
  const [contoso] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
  cloudId = contoso!.privateCloudId;
  fixtures = { own: await fixtureFor("contoso"), other: await fixtureFor("fabrikam") };
  operatorChannelId = (await db.insert(notificationChannels).values({ tenantId: null, kind: "webhook", name: "Ops hook", settings: { kind: "webhook", url: "https://ops.example/hook" }, createdBy: "test" }).returning())[0]!.id;
  operatorSilenceId = (
    await db.insert(notificationSilences).values({ ownerTenantId: null, startsAt: new Date(Date.now() - 7200_000), endsAt: new Date(Date.now() - 3600_000), reason: "ended", createdBy: "test" }).returning()
  )[0]!.id;
  // An offboarded tenant: offboarding it again is a 409 that changes nothing.
  await db.insert(tenants).values({ ...contoso!, id: undefined, slug: "gone", displayName: "Gone", subnet: "172.30.9.0/24", state: "offboarded", createdAt: undefined, updatedAt: undefined });
  // Segments not failed: a retry answers 409.
  await db.update(segments).set({ state: "ready" });
  tokens.readAll = { ...(await makeApiToken({ name: "read-all", scope: "read" })), scope: "read", tenant: false };
  tokens.writeAll = { ...(await makeApiToken({ name: "write-all", scope: "write" })), scope: "write", tenant: false };
  tokens.readOwn = { ...(await makeApiToken({ name: "read-contoso", scope: "read", tenantSlug: "contoso" })), scope: "read", tenant: true };
  tokens.writeOwn = { ...(await makeApiToken({ name: "write-contoso", scope: "write", tenantSlug: "contoso" })), scope: "write", tenant: true };
});

describe("each token scope × each operation", () => {
  // The matrix makes over a hundred calls per token, faster than its rate-limit bucket refills on
  // a quick run (it then answered 429 in CI). Each call happens a minute after the one before on
  // a clock the test moves, so every bucket is full again: the matrix is about authorization, not
  // timing (the rate limit has its own test below).
  let minutes = 0;
  beforeEach(() => {
    minutes += 1;
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + minutes * 60_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the matrix covers every operation a token may call", () => {
    const documented = Object.entries(openApiDocument().paths).flatMap(([p, ops]) =>
      Object.entries(ops as Record<string, DocumentedOperation>).filter(([, op]) => op["x-token-scope"]).map(([m]) => `${m} ${p}`),
    );
    expect(CASES.map((c) => `${c.method} ${c.path}`).sort()).toEqual(documented.sort());
  });

  for (const c of CASES) {
    for (const name of ["readAll", "writeAll", "readOwn", "writeOwn"]) {
      for (const target of ["own", "other"] as const) {
        it(`${c.method.toUpperCase()} ${c.path} with ${name} on ${target === "own" ? "contoso" : "fabrikam"}`, async () => {
          const token = tokens[name]!;
          const request = c.request(fixtures[target]);
          const response = await callApi(c.handler, { token: token.token, method: c.method.toUpperCase(), path: request.url, params: request.params, body: request.body });
          expect(response.status).toBe(expectedStatus(c, token, target));
          if (response.status === 403 || response.status === 404 || response.status === 400) {
            expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
          }
        });
      }
    }
  }
});

describe("tokens that do not work", () => {
  it("an unknown, expired or revoked token gets 401 with the reason, on reads and writes alike", async () => {
    const expired = await makeApiToken({ name: "expired", scope: "write" });
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expired.id));
    const revoked = await makeApiToken({ name: "revoked", scope: "write" });
    const revocation = await callAction(revokeApiToken, { id: revoked.id }, { as: "admin" });
    expect(revocation.ok).toBe(true);

    for (const [token, reason] of [[expired.token, /expired/], [revoked.token, /revoked/], ["bh_" + "x".repeat(43), /not known/], ["agt_" + "x".repeat(43), /not known/]] as const) {
      for (const call of [
        () => callApi(tenantList.GET as Handler, { token, path: "/api/v1/tenants" }),
        () => callApi(tenantList.POST as Handler, { token, method: "POST", path: "/api/v1/tenants", body: {} }),
      ]) {
        const response = await call();
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
        expect(((await response.json()) as { detail: string }).detail).toMatch(reason);
      }
    }
  });

  it("an API token is not an agent token: telemetry ingest refuses it", async () => {
    const response = await callApi(telemetry.POST as Handler, { token: tokens.writeAll!.token, method: "POST", path: "/api/v1/telemetry", body: { measuredAt: new Date().toISOString() } });
    expect(response.status).toBe(401);
  });

  it("only admins create and revoke tokens", async () => {
    const { createApiToken } = await import("@/lib/actions/api-tokens/create-api-token");
    for (const persona of ["noc", "alice", "anonymous"] as const) {
      const created = await callAction(createApiToken, { name: `by-${persona}`, scope: "write", expiresInDays: 1 }, { as: persona });
      expect(created.ok).toBe(false);
      const revoked = await callAction(revokeApiToken, { id: crypto.randomUUID() }, { as: persona });
      expect(revoked.ok).toBe(false);
    }
    expect(await db.select().from(apiTokens).where(eq(apiTokens.name, "by-alice"))).toHaveLength(0);
  });
});

describe("what a token leaves behind", () => {
  it("only the hash is stored, last used moves, and every call is audited under the token's name, refusals included", async () => {
    const made = await makeApiToken({ name: "audited", scope: "read", tenantSlug: "contoso" });
    const [stored] = await db.select().from(apiTokens).where(eq(apiTokens.id, made.id));
    expect(JSON.stringify(stored)).not.toContain(made.token.slice(3));
    expect(stored!.lastUsedAt).toBeNull();

    expect((await callApi(tenant.GET as Handler, { token: made.token, path: "/api/v1/tenants/contoso", params: { slug: "contoso" } })).status).toBe(200);
    expect((await callApi(tenant.GET as Handler, { token: made.token, path: "/api/v1/tenants/fabrikam", params: { slug: "fabrikam" } })).status).toBe(404);
    const [used] = await db.select().from(apiTokens).where(eq(apiTokens.id, made.id));
    expect(used!.lastUsedAt).not.toBeNull();
    const calls = await db.select().from(auditEvents).where(eq(auditEvents.actor, "token:audited"));
    expect(calls.map((c) => c.after)).toEqual([
      { method: "GET", path: "/api/v1/tenants/contoso", status: 200 },
      { method: "GET", path: "/api/v1/tenants/fabrikam", status: 404 },
    ]);
    // The refused probe is not written into the other tenant's history.
    expect(calls.map((c) => c.tenantId)).toEqual([fixtures.own && (await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "contoso")))[0]!.id, null]);
  });
});

describe("a token sending too fast", () => {
  it("gets 429 with Retry-After once its burst is spent, and the refusal is audited", async () => {
    const made = await makeApiToken({ name: "hasty", scope: "read" });
    // The clock stands still, so the bucket cannot refill while the test runs: the burst is exact.
    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await callApi(clouds.GET as Handler, { token: made.token, path: "/api/v1/private-clouds" })).status);
      expect(statuses).toEqual(Array(60).fill(200));
      const limited = await callApi(clouds.GET as Handler, { token: made.token, path: "/api/v1/private-clouds" });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
    const refused = await db.select().from(auditEvents).where(eq(auditEvents.actor, "token:hasty"));
    expect(refused.filter((e) => (e.after as { status: number }).status === 429)).toHaveLength(1);
  });
});

describe("offboarding a tenant", () => {
  it("revokes the API tokens limited to it, as it ends its people's access", async () => {
    const onboarded = await callApi(tenantList.POST as Handler, {
      token: tokens.writeAll!.token,
      method: "POST",
      path: "/api/v1/tenants",
      body: {
        privateCloudId: cloudId, slug: "short-lived", displayName: "Short Lived", contacts: [{ name: "Ada", email: "ada@example.com" }],
        sourceEnvironment: "bare-metal", transport: "ipsec-vpn", subnet: "172.31.40.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.40",
      },
    });
    expect(onboarded.status).toBe(201);
    const scoped = await makeApiToken({ name: "short-lived-sync", scope: "read", tenantSlug: "short-lived" });
    const read = () => callApi(tenant.GET as Handler, { token: scoped.token, path: "/api/v1/tenants/short-lived", params: { slug: "short-lived" } });
    expect((await read()).status).toBe(200);
    // A new tenant does not pass every offboarding pre-check (as in the console, going past one takes a reason).
    const gone = await callApi(tenant.DELETE as Handler, { token: tokens.writeAll!.token, method: "DELETE", path: "/api/v1/tenants/short-lived?reason=test%20tenant", params: { slug: "short-lived" } });
    expect([200, 202]).toContain(gone.status);
    const after = await read();
    expect(after.status).toBe(401);
    expect(((await after.json()) as { detail: string }).detail).toMatch(/revoked/);
    expect((await callApi(tenant.GET as Handler, { token: tokens.readAll!.token, path: "/api/v1/tenants/short-lived", params: { slug: "short-lived" } })).status).toBe(200);
  });

  it("refuses a new token limited to a tenant being offboarded: offboarding revoked the others, and this one would outlive it", async () => {
    const [contoso] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
    // As offboarding leaves a tenant while its segment is removed from Azure (202).
    await db.insert(tenants).values({ ...contoso!, id: undefined, slug: "leaving", displayName: "Leaving", subnet: "172.30.10.0/24", state: "offboarding", createdAt: undefined, updatedAt: undefined });
    const { createApiToken } = await import("@/lib/actions/api-tokens/create-api-token");
    const created = await callAction(createApiToken, { name: "leaving-sync", scope: "read", tenantSlug: "leaving", expiresInDays: 30 }, { as: "admin" });
    expect(created).toMatchObject({ ok: false, status: 400, errors: { tenantSlug: [expect.stringMatching(/leaving/)] } });
    expect(await db.select().from(apiTokens).where(eq(apiTokens.name, "leaving-sync"))).toHaveLength(0);
  });
});
