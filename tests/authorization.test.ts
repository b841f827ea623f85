import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { addMembership } from "@/lib/actions/access/add-membership";
import { createApiToken } from "@/lib/actions/api-tokens/create-api-token";
import { revokeApiToken } from "@/lib/actions/api-tokens/revoke-api-token";
import { removeMembership } from "@/lib/actions/access/remove-membership";
import { endUserSessions } from "@/lib/actions/access/end-user-sessions";
import { createDisplay } from "@/lib/actions/noc/create-display";
import { endDisplaySessions } from "@/lib/actions/noc/end-display-sessions";
import { issueDisplayLink } from "@/lib/actions/noc/issue-display-link";
import { revokeDisplay } from "@/lib/actions/noc/revoke-display";
import { updateVlanPool } from "@/lib/actions/pools/update-vlan-pool";
import { addReservedRange } from "@/lib/actions/clouds/add-reserved-range";
import { refreshPrivateClouds } from "@/lib/actions/clouds/refresh-private-clouds";
import { removeReservedRange } from "@/lib/actions/clouds/remove-reserved-range";
import { clearEmulatorFaults, injectEmulatorFault } from "@/lib/actions/emulator/inject-fault";
import { retrySegment } from "@/lib/actions/segments/retry-segment";
import { editTenant } from "@/lib/actions/tenants/edit-tenant";
import { offboardTenant } from "@/lib/actions/tenants/offboard-tenant";
import { cancelCutoverPlan } from "@/lib/actions/stretch/cancel-cutover-plan";
import { planCutover } from "@/lib/actions/stretch/plan-cutover";
import { rollBackCutover } from "@/lib/actions/stretch/roll-back-cutover";
import { startCutover } from "@/lib/actions/stretch/start-cutover";
import { unextendStretch } from "@/lib/actions/stretch/unextend-stretch";
import { onboardTenant } from "@/lib/actions/tenants/onboard-tenant";
import { importTenants } from "@/lib/actions/tenants/import-tenants";
import { revokePreviousAgentToken } from "@/lib/actions/tunnels/revoke-previous-agent-token";
import { rotateAgentToken } from "@/lib/actions/tunnels/rotate-agent-token";
import { addTunnel } from "@/lib/actions/tunnels/add-tunnel";
import { removeTunnel } from "@/lib/actions/tunnels/remove-tunnel";
import { acknowledgeWarning } from "@/lib/actions/warnings/acknowledge-warning";
import { acknowledgeWarnings } from "@/lib/actions/warnings/acknowledge-warnings";
import { createMaintenanceWindow } from "@/lib/actions/maintenance/create-maintenance-window";
import { endMaintenanceWindow } from "@/lib/actions/maintenance/end-maintenance-window";
import { createScrapeToken } from "@/lib/actions/metrics/create-scrape-token";
import { revokeScrapeToken } from "@/lib/actions/metrics/revoke-scrape-token";
import { allowNotificationHost } from "@/lib/actions/notifications/allow-host";
import { createChannel, createTenantChannel } from "@/lib/actions/notifications/create-channel";
import { createRoute, createTenantRoute } from "@/lib/actions/notifications/create-route";
import { createSilence, createTenantSilence } from "@/lib/actions/notifications/create-silence";
import { deleteChannel, deleteTenantChannel } from "@/lib/actions/notifications/delete-channel";
import { deleteRoute, deleteTenantRoute } from "@/lib/actions/notifications/delete-route";
import { endSilence, endTenantSilence } from "@/lib/actions/notifications/end-silence";
import { removeAllowedHost } from "@/lib/actions/notifications/remove-allowed-host";
import { recordVersion } from "@/lib/domain/tenant-version";
import { updateChannel, updateTenantChannel } from "@/lib/actions/notifications/update-channel";
import { testChannel, testTenantChannel } from "@/lib/actions/notifications/test-channel";
import { isGuarded } from "@/lib/auth/guards";
import type { Database } from "@/lib/db/client";
import {
  apiTokens,
  auditEvents,
  maintenanceWindows,
  memberships,
  metricsScrapeTokens,
  nocDisplays,
  notificationAllowedHosts,
  notificationChannels,
  notificationRoutes,
  notificationSilences,
  reservedPrefixes,
  segments,
  sessions,
  tenants,
  tunnelEndpoints,
  tunnels,
  users,
  vlanPools,
  warnings,
} from "@/lib/db/schema";
import { GET as getMetrics } from "@/app/metrics/route";
import { GET as getTenantWarnings } from "@/app/api/v1/tenants/[slug]/warnings/route";
import { startSession } from "@/lib/commands/sessions";
import { GET as getTenant } from "@/app/api/v1/tenants/[slug]/route";
import { POST as signOut } from "@/app/api/auth/signout/route";
import { POST as startSignIn } from "@/app/api/auth/nonce/route";
import { POST as exchangeIdToken } from "@/app/api/auth/session/route";
import { importJWK, SignJWT } from "jose";
import { readConfig } from "@/lib/config";
import { BUILTIN_CLIENT_ID } from "@/lib/identity/client-config";
import { getBuiltinSigningKey } from "@/lib/identity/signing-key";
import { callAction, callRoute, CONSOLE_ORIGIN, useTestApp, type Persona } from "./support/personas";

let db: Database;
let endpointOf: Record<"contoso" | "fabrikam", string>;
let tenantIdOf: Record<"contoso" | "fabrikam", string>;
let cloudId: string;
let membershipId: string;
let displayId: string;
let segmentId: string;
let spareTunnelId: string;
let warningId: string;
/** Notification fixtures: the operators' and Fabrikam's own channel, rule and silence, and the rest. */
const n = { fleetChannel: "", fabrikamChannel: "", contosoChannel: "", version: {} as Record<string, string>, fleetRoute: "", fabrikamRoute: "", fleetSilence: "", fabrikamSilence: "", window: "", host: "", scrapeToken: "" };
let targetUserId: string;
let targetSessionId: string;
let reservedRangeId: string;
let apiTokenId: string;

beforeAll(async () => {
  db = await useTestApp();
  const rows = await db
    .select({ slug: tenants.slug, endpointId: tunnelEndpoints.id })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(eq(tunnelEndpoints.side, "source"));
  endpointOf = Object.fromEntries(rows.map((r) => [r.slug, r.endpointId])) as typeof endpointOf;
  const tenantRows = await db.select({ slug: tenants.slug, id: tenants.id, cloud: tenants.privateCloudId }).from(tenants);
  tenantIdOf = Object.fromEntries(tenantRows.map((r) => [r.slug, r.id])) as typeof tenantIdOf;
  cloudId = tenantRows[0]!.cloud;
  const [membership] = await db.select({ id: memberships.id }).from(memberships).where(eq(memberships.principal, "bob@fabrikam.example"));
  membershipId = membership!.id;
  const [display] = await db.insert(nocDisplays).values({ name: "Lobby wall", tokenHash: "0".repeat(64), createdBy: "test" }).returning();
  displayId = display!.id;
  const [segment] = await db.select({ id: segments.id }).from(segments).where(eq(segments.tenantId, tenantIdOf.fabrikam));
  segmentId = segment!.id;
  const [spare] = await db.insert(tunnels).values({ tenantId: tenantIdOf.fabrikam, ordinal: 2, name: "spare" }).returning();
  spareTunnelId = spare!.id;
  const [warning] = await db
    .insert(warnings)
    .values({ tenantId: tenantIdOf.fabrikam, kind: "loss", severity: "warning", dedupeKey: "loss:test", message: "Loss 5 %" })
    .returning();
  warningId = warning!.id;

  // Receivers on the discard port: nothing listens, and nothing here is meant to be sent.
  const channel = (tenantId: string | null, name: string) => ({ tenantId, kind: "webhook" as const, name, settings: { kind: "webhook" as const, url: "http://127.0.0.1:9/hook" }, createdBy: "test" });
  const [fleet, fab, con] = await db.insert(notificationChannels).values([channel(null, "Ops"), channel(tenantIdOf.fabrikam, "Fabrikam on-call"), channel(tenantIdOf.contoso, "Contoso on-call")]).returning();
  n.fleetChannel = fleet!.id;
  n.fabrikamChannel = fab!.id;
  n.contosoChannel = con!.id;
  for (const row of [fleet!, fab!, con!]) n.version[row.id] = recordVersion(row);
  const rule = (tenantId: string | null, channelId: string) => ({ tenantId, channelId, groupWaitSeconds: 30, repeatIntervalMinutes: 240, createdBy: "test" });
  const [fleetRoute, fabRoute] = await db.insert(notificationRoutes).values([rule(null, n.fleetChannel), rule(tenantIdOf.fabrikam, n.fabrikamChannel)]).returning();
  n.fleetRoute = fleetRoute!.id;
  n.fabrikamRoute = fabRoute!.id;
  const quiet = (owner: string | null) => ({ ownerTenantId: owner, tenantId: tenantIdOf.fabrikam, startsAt: new Date(), endsAt: new Date(Date.now() + 3600_000), reason: "test", createdBy: "test" });
  const [fleetSilence, fabSilence] = await db.insert(notificationSilences).values([quiet(null), quiet(tenantIdOf.fabrikam)]).returning();
  n.fleetSilence = fleetSilence!.id;
  n.fabrikamSilence = fabSilence!.id;
  const [window] = await db.insert(maintenanceWindows).values({ tenantId: tenantIdOf.fabrikam, startsAt: new Date(), endsAt: new Date(Date.now() + 3600_000), reason: "test", createdBy: "test" }).returning();
  n.window = window!.id;
  const [host] = await db.insert(notificationAllowedHosts).values({ host: "relay.corp.example", reason: "test", createdBy: "test" }).returning();
  n.host = host!.id;
  const [token] = await db.insert(metricsScrapeTokens).values({ name: "prometheus", tokenHash: "1".repeat(64), createdBy: "test" }).returning();
  n.scrapeToken = token!.id;
  const [target] = await db.insert(users).values({ subject: "s-target", signInName: "target@contoso.example", displayName: "Target" }).returning();
  targetUserId = target!.id;
  targetSessionId = await startSession(db, { kind: "user", userId: targetUserId }, 3600);
  const [range] = await db.insert(reservedPrefixes).values({ privateCloudId: cloudId, cidr: "10.250.0.0/16", description: "Lab" }).returning();
  reservedRangeId = range!.id;
  const [apiToken] = await db
    .insert(apiTokens)
    .values({ name: "ci-pipeline", tokenHash: "1".repeat(64), scope: "write", createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) })
    .returning();
  apiTokenId = apiToken!.id;
});

/** Every server action, with an input that would succeed for an admin. */
const ACTIONS = {
  addMembership: () => [addMembership, { tenantSlug: "contoso", principalKind: "sign-in-name", principal: `x${Date.now()}@contoso.example`, role: "tenant-viewer" }],
  removeMembership: () => [removeMembership, { id: membershipId }],
  createDisplay: () => [createDisplay, { name: "Wall" }],
  revokeDisplay: () => [revokeDisplay, { id: displayId }],
  issueDisplayLink: () => [issueDisplayLink, { id: displayId }],
  endDisplaySessions: () => [endDisplaySessions, { id: displayId }],
  endUserSessions: () => [endUserSessions, { id: targetUserId }],
  rotateAgentToken: () => [rotateAgentToken, { id: endpointOf.fabrikam }],
  revokePreviousAgentToken: () => [revokePreviousAgentToken, { id: endpointOf.fabrikam }],
  onboardTenant: () => [
    onboardTenant,
    {
      privateCloudId: cloudId,
      slug: `new-${Date.now()}`,
      displayName: "New Tenant",
      contacts: [{ name: "Ada", email: "ada@example.com" }],
      sourceEnvironment: "bare-metal",
      transport: "ipsec-vpn",
      subnet: "172.31.5.0/24",
      gatewayLocation: "source",
      sourceGatewayUnderlayIp: "198.51.100.77",
    },
  ],
  editTenant: () => [
    editTenant,
    {
      id: tenantIdOf.fabrikam,
      displayName: "Fabrikam Health",
      contacts: [{ name: "Bob", email: "bob@fabrikam.example" }],
      transport: "expressroute-global-reach",
      underlayMtu: 9000,
      sourceGatewayUnderlayIp: "203.0.113.20",
      latencyObjectiveMs: 20,
    },
  ],
  offboardTenant: () => [offboardTenant, { id: tenantIdOf.fabrikam, confirmSlug: "fabrikam", reason: "The customer has moved every workload out" }],
  planCutover: () => [planCutover, { tenantId: tenantIdOf.fabrikam, gatewayAddress: "10.20.0.1", tier1Id: "TNT42-T1" }],
  cancelCutoverPlan: () => [cancelCutoverPlan, { tenantId: tenantIdOf.fabrikam }],
  startCutover: () => [startCutover, { tenantId: tenantIdOf.fabrikam, reason: "Change window agreed with the customer" }],
  rollBackCutover: () => [rollBackCutover, { tenantId: tenantIdOf.fabrikam }],
  unextendStretch: () => [unextendStretch, { tenantId: tenantIdOf.fabrikam, confirmSlug: "fabrikam", reason: "Every workload is in AVS now" }],
  updateVlanPool: () => [updateVlanPool, { privateCloudId: cloudId, ranges: "2-99", reserved: "1", quarantineDays: "1" }],
  retrySegment: () => [retrySegment, { id: segmentId }],
  refreshPrivateClouds: () => [refreshPrivateClouds, {}],
  addReservedRange: () => [addReservedRange, { scope: cloudId, cidr: `10.${200 + (Date.now() % 40)}.0.0/16`, reason: "Partner network" }],
  removeReservedRange: () => [removeReservedRange, { id: reservedRangeId }],
  injectEmulatorFault: () => [injectEmulatorFault, { kind: "error", times: "1" }],
  clearEmulatorFaults: () => [clearEmulatorFaults, {}],
  addTunnel: () => [
    addTunnel,
    {
      tenantId: tenantIdOf.contoso,
      name: `t${Date.now()}`,
      source: { hostname: "contoso-gw9", underlayIp: "198.51.100.99" },
      avs: { hostname: "contoso-bridge9", underlayIp: "10.120.8.99" },
    },
  ],
  removeTunnel: () => [removeTunnel, { id: spareTunnelId }],
  acknowledgeWarning: () => [acknowledgeWarning, { id: warningId }],
  acknowledgeWarnings: () => [acknowledgeWarnings, { ids: [warningId] }],
  createApiToken: () => [createApiToken, { name: `ci-${Date.now()}`, scope: "write", expiresInDays: "30" }],
  revokeApiToken: () => [revokeApiToken, { id: apiTokenId }],
  importTenants: () => [importTenants, { file: new Blob([`privateCloudId,slug,displayName,contactName,contactEmail,sourceEnvironment,transport,subnet,gatewayLocation,sourceGatewayUnderlayIp\n${cloudId},imp-${Date.now()},Imported,Ada,ada@example.com,bare-metal,ipsec-vpn,172.31.6.0/24,source,198.51.100.78\n`]), mode: "per-row" }],
  createChannel: () => [createChannel, { kind: "webhook", name: "Ops hook", url: "http://127.0.0.1:9/hook" }],
  createTenantChannel: () => [createTenantChannel, { tenantSlug: "fabrikam", kind: "webhook", name: "Fab hook", url: "http://127.0.0.1:9/hook" }],
  deleteChannel: () => [deleteChannel, { id: n.fleetChannel }],
  deleteTenantChannel: () => [deleteTenantChannel, { id: n.fabrikamChannel }],
  updateChannel: () => [updateChannel, { id: n.fleetChannel, version: n.version[n.fleetChannel], kind: "webhook", name: "Ops renamed" }],
  updateTenantChannel: () => [updateTenantChannel, { id: n.fabrikamChannel, version: n.version[n.fabrikamChannel], kind: "webhook", name: "Fab renamed" }],
  testChannel: () => [testChannel, { id: n.fleetChannel }],
  testTenantChannel: () => [testTenantChannel, { id: n.fabrikamChannel }],
  createRoute: () => [createRoute, { channelId: n.fleetChannel, minSeverity: "warning", groupWaitSeconds: "30", repeatIntervalMinutes: "240" }],
  createTenantRoute: () => [createTenantRoute, { tenantSlug: "fabrikam", channelId: n.fabrikamChannel, minSeverity: "warning", groupWaitSeconds: "30", repeatIntervalMinutes: "240" }],
  deleteRoute: () => [deleteRoute, { id: n.fleetRoute }],
  deleteTenantRoute: () => [deleteTenantRoute, { id: n.fabrikamRoute }],
  createSilence: () => [createSilence, { tenantSlug: "fabrikam", durationHours: "1", reason: "Known issue" }],
  createTenantSilence: () => [createTenantSilence, { tenantSlug: "fabrikam", durationHours: "1", reason: "Known issue" }],
  endSilence: () => [endSilence, { id: n.fleetSilence }],
  endTenantSilence: () => [endTenantSilence, { id: n.fabrikamSilence }],
  createMaintenanceWindow: () => [createMaintenanceWindow, { tenantSlug: "fabrikam", durationHours: "2", reason: "Gateway swap" }],
  endMaintenanceWindow: () => [endMaintenanceWindow, { id: n.window }],
  allowNotificationHost: () => [allowNotificationHost, { host: "mail.corp.example", reason: "Internal relay" }],
  removeAllowedHost: () => [removeAllowedHost, { id: n.host }],
  createScrapeToken: () => [createScrapeToken, { name: "prometheus-2" }],
  revokeScrapeToken: () => [revokeScrapeToken, { id: n.scrapeToken }],
} as const satisfies Record<string, () => readonly [(input: never) => Promise<unknown>, unknown]>;

type AnyAction = (input: unknown) => Promise<{ ok: boolean; status?: number }>;

/** Everything an action could change, to prove a refused action changed none of it. */
async function snapshot() {
  const [m, d, t, e, p, s, tu, w, se, r, nc, nr, ns, mw, ah, st, at] = await Promise.all([
    db.select().from(memberships).orderBy(memberships.id),
    // Only the target display: signing a display persona in adds displays of its own.
    db.select().from(nocDisplays).where(eq(nocDisplays.id, displayId)),
    db.select().from(tenants).orderBy(tenants.id),
    db.select().from(tunnelEndpoints).orderBy(tunnelEndpoints.id),
    db.select().from(vlanPools).orderBy(vlanPools.id),
    db.select().from(segments).orderBy(segments.id),
    db.select().from(tunnels).orderBy(tunnels.id),
    db.select().from(warnings).orderBy(warnings.id),
    db.select().from(sessions).where(eq(sessions.id, targetSessionId)),
    db.select().from(reservedPrefixes).orderBy(reservedPrefixes.id),
    db.select().from(notificationChannels).orderBy(notificationChannels.id),
    db.select().from(notificationRoutes).orderBy(notificationRoutes.id),
    db.select().from(notificationSilences).orderBy(notificationSilences.id),
    db.select().from(maintenanceWindows).orderBy(maintenanceWindows.id),
    db.select().from(notificationAllowedHosts).orderBy(notificationAllowedHosts.id),
    db.select().from(metricsScrapeTokens).orderBy(metricsScrapeTokens.id),
    db.select().from(apiTokens).orderBy(apiTokens.id),
  ]);
  return { m, d, t, e, p, s, tu, w, se, r, nc, nr, ns, mw, ah, st, at };
}

function walk(dir: string, match: (file: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full, match) : match(entry.name) ? [full] : [];
  });
}

describe("every door is guarded", () => {
  it("every function a route handler file exports goes through defineRoute", async () => {
    const files = walk("app", (name) => /^route\.(ts|tsx|js)$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const module = (await import(path.resolve(file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (typeof value === "function") expect(isGuarded(value), `${file} ${name}`).toBe(true);
      }
    }
  });

  it("server actions live only in lib/actions", () => {
    const sources = ["app", "components", "lib"].flatMap((dir) => walk(dir, (name) => /\.(ts|tsx)$/.test(name)));
    const withDirective = sources.filter((file) => /^\s*(["'])use server\1/m.test(fs.readFileSync(file, "utf8")));
    expect(withDirective.length).toBeGreaterThan(0);
    for (const file of withDirective) expect(file.startsWith(path.join("lib", "actions")), file).toBe(true);
  });

  it("every server action goes through defineAction, and the list below covers them all", async () => {
    const files = walk("lib/actions", (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"));
    const exported: string[] = [];
    for (const file of files) {
      const module = (await import(path.resolve(file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        expect(isGuarded(value), `${file} ${name}`).toBe(true);
        exported.push(name);
      }
    }
    // A new action must be added to ACTIONS so the refusal tests below exercise it.
    expect(exported.sort()).toEqual(Object.keys(ACTIONS).sort());
  });
});

describe("route handlers", () => {
  it.each<[Persona, number]>([
    ["anonymous", 401],
    ["expired", 401],
    ["tampered", 401],
    ["revokedDisplay", 401],
  ])("refuse a %s caller with %i", async (as, status) => {
    const response = await callRoute(getTenant as never, { as, path: "/api/v1/tenants/contoso", params: { slug: "contoso" } });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/sign in/i) });
  });

  it.each<[Persona, "contoso" | "fabrikam", number]>([
    ["alice", "contoso", 200],
    ["alice", "fabrikam", 404],
    ["bob", "fabrikam", 200],
    ["bob", "contoso", 404],
    ["admin", "fabrikam", 200],
    ["noc", "contoso", 200],
    ["display", "contoso", 404],
  ])("%s reading tenant %s gets %i", async (as, slug, status) => {
    const response = await callRoute(getTenant as never, { as, path: `/api/v1/tenants/${slug}`, params: { slug } });
    expect(response.status).toBe(status);
    const body = await response.json();
    if (status === 200) expect(body).toMatchObject({ slug, vlanId: expect.any(Number) });
    else expect(JSON.stringify(body)).not.toContain(slug === "contoso" ? "Contoso" : "Fabrikam");
  });

  it("answers an unknown tenant exactly as another tenant's: 404", async () => {
    const response = await callRoute(getTenant as never, { as: "alice", params: { slug: "no-such-tenant" } });
    expect(response.status).toBe(404);
  });

  it("does not let X-Forwarded-Host vouch for a foreign origin when the console serves TLS itself", async () => {
    const request = new Request(`${CONSOLE_ORIGIN}/api/auth/signout`, {
      method: "POST",
      headers: { host: new URL(CONSOLE_ORIGIN).host, origin: "https://evil.example", "x-forwarded-host": "evil.example" },
    });
    expect((await signOut(request)).status).toBe(403);
  });

  it("refuses a state-changing request from a foreign origin, or with no origin at all", async () => {
    expect((await callRoute(signOut as never, { as: "admin", method: "POST", origin: "https://evil.example" })).status).toBe(403);
    expect((await callRoute(signOut as never, { as: "admin", method: "POST", origin: null })).status).toBe(403);
    const ok = await callRoute(signOut as never, { as: "admin", method: "POST", origin: CONSOLE_ORIGIN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toMatch(/^__Host-bh_session=; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=0/);
  });
});

/** Actions whose tenant the guard resolves from the database: refused as 404 (not yours, or not there). */
const TENANT_SCOPED = new Set<string>([
  "rotateAgentToken",
  "revokePreviousAgentToken",
  "acknowledgeWarning",
  "createTenantChannel",
  "deleteTenantChannel",
  "updateTenantChannel",
  "testTenantChannel",
  "createTenantRoute",
  "deleteTenantRoute",
  "createTenantSilence",
  "endTenantSilence",
]);

describe("server actions", () => {
  const actionNames = Object.keys(ACTIONS) as (keyof typeof ACTIONS)[];

  it.each(actionNames)("%s refuses anonymous, expired and tampered sessions with 401", async (name) => {
    for (const as of ["anonymous", "expired", "tampered", "revokedDisplay"] as const) {
      const [action, input] = ACTIONS[name]();
      expect(await callAction(action as AnyAction, input, { as })).toMatchObject({ ok: false, status: 401 });
    }
  });

  it.each(actionNames)("%s lets neither a NOC viewer nor a NOC display change anything", async (name) => {
    // Tenant-scoped actions answer 404 (the tenant's resource is not theirs to touch); fleet
    // actions 403. The targets are real rows, so a missing guard would change them.
    const expected = TENANT_SCOPED.has(name) ? 404 : 403;
    const before = await snapshot();
    for (const as of ["noc", "display"] as const) {
      const [action, input] = ACTIONS[name]();
      expect(await callAction(action as AnyAction, input, { as })).toMatchObject({ ok: false, status: expected });
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each(actionNames)("%s tells a caller who may not use it nothing about its input", async (name) => {
    // Deliberately malformed: a caller who could be allowed would get 400 with field errors.
    const [action] = ACTIONS[name]();
    const tenantScoped = TENANT_SCOPED.has(name);
    const callers: Persona[] = tenantScoped ? ["display"] : ["noc", "display", "alice"];
    for (const as of callers) {
      const result = await callAction(action as AnyAction, { id: "not-a-uuid", name: 42, ranges: [] }, { as });
      expect(result, as).toEqual({ ok: false, status: tenantScoped ? 404 : 403, message: expect.any(String) });
    }
  });

  it.each(actionNames)("%s refuses a foreign origin even for an admin", async (name) => {
    const [action, input] = ACTIONS[name]();
    expect(await callAction(action as AnyAction, input, { as: "admin", origin: "https://evil.example" })).toMatchObject({ ok: false, status: 403 });
  });

  it("fleet actions refuse tenant users with 403", async () => {
    const before = await snapshot();
    const fleetActions = actionNames.filter((name) => !TENANT_SCOPED.has(name));
    expect(fleetActions).toContain("createChannel");
    for (const name of fleetActions) {
      const [action, input] = ACTIONS[name]();
      expect(await callAction(action as AnyAction, input, { as: "alice" })).toMatchObject({ ok: false, status: 403 });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a tenant user cannot rotate another tenant's agent token by forging its id, and nothing changes", async () => {
    const before = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpointOf.fabrikam));
    const forged = await callAction(rotateAgentToken, { id: endpointOf.fabrikam }, { as: "alice" });
    expect(forged).toMatchObject({ ok: false, status: 404 });
    const after = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpointOf.fabrikam));
    expect(after).toEqual(before);

    const own = await callAction(rotateAgentToken, { id: endpointOf.contoso }, { as: "alice" });
    expect(own).toMatchObject({ ok: true, data: { token: expect.stringMatching(/^agt_[\w-]{43}$/) } });
  });

  it("a tenant user acknowledges only their own tenant's warnings", async () => {
    expect(await callAction(acknowledgeWarning, { id: warningId }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    expect((await db.select().from(warnings).where(eq(warnings.id, warningId)))[0]!.state).toBe("open");
    expect(await callAction(acknowledgeWarning, { id: warningId }, { as: "bob" })).toMatchObject({ ok: true });
    const [row] = await db.select().from(warnings).where(eq(warnings.id, warningId));
    expect(row).toMatchObject({ state: "acknowledged", acknowledgedBy: "bob@fabrikam.example", acknowledgedAt: expect.any(Date) });
    expect(await callAction(acknowledgeWarning, { id: warningId }, { as: "admin" })).toMatchObject({ ok: false, status: 409 });
  });

  it("a tenant user cannot revoke another tenant's previous agent token by forging its id", async () => {
    expect(await callAction(rotateAgentToken, { id: endpointOf.fabrikam }, { as: "bob" })).toMatchObject({ ok: true });
    const before = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpointOf.fabrikam));
    expect(await callAction(revokePreviousAgentToken, { id: endpointOf.fabrikam }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    expect(await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpointOf.fabrikam))).toEqual(before);
    expect(await callAction(revokePreviousAgentToken, { id: endpointOf.fabrikam }, { as: "bob" })).toMatchObject({ ok: true });
  });

  it("stores only the hash of a rotated agent token, and a second rotation replaces it", async () => {
    const first = await callAction(rotateAgentToken, { id: endpointOf.fabrikam }, { as: "bob" });
    const second = await callAction(rotateAgentToken, { id: endpointOf.fabrikam }, { as: "admin" });
    if (!first.ok || !second.ok) throw new Error("rotation failed");
    const [row] = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpointOf.fabrikam));
    expect(row!.agentTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.agentTokenHash).not.toContain(second.data.token);
    expect(first.data.token).not.toBe(second.data.token);
  });

  it("an admin creates a display link whose token is stored only as a hash, and revokes it once", async () => {
    const created = await callAction(createDisplay, { name: "Wall 7" }, { as: "admin" });
    if (!created.ok) throw new Error(created.message);
    const token = new URL(created.data.link).hash.slice(1);
    const [row] = await db.select().from(nocDisplays).where(eq(nocDisplays.id, created.data.id));
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.tokenHash).not.toContain(token);

    expect(await callAction(revokeDisplay, { id: created.data.id }, { as: "admin" })).toMatchObject({ ok: true });
    expect(await callAction(revokeDisplay, { id: created.data.id }, { as: "admin" })).toMatchObject({ ok: false, status: 404 });
  });

  it("validates input with field errors a form can show, and only for signed-in callers", async () => {
    const input = { tenantSlug: "contoso", principalKind: "object-id", principal: "not-a-guid", role: "tenant-admin" };
    const result = await callAction(addMembership, input, { as: "admin" });
    expect(result).toMatchObject({ ok: false, status: 400, errors: { principal: [expect.stringMatching(/GUID/)] } });
    expect(await callAction(addMembership, input, { as: "anonymous" })).toEqual({ ok: false, status: 401, message: expect.any(String) });
  });

  it("one user belongs to one tenant: a second membership is refused with a clear message", async () => {
    const input = { tenantSlug: "fabrikam", principalKind: "sign-in-name", principal: "ALICE@contoso.example", role: "tenant-admin" };
    const result = await callAction(addMembership, input, { as: "admin" });
    expect(result).toMatchObject({ ok: false, status: 409, errors: { principal: [expect.stringMatching(/one user, one tenant/)] } });
    const rows = await db.select().from(memberships).where(eq(memberships.principal, "alice@contoso.example"));
    expect(rows).toHaveLength(1);
  });

  it("removing a membership takes the tenant away at the user's next request", async () => {
    const principal = `carol${Date.now()}@contoso.example`;
    const added = await callAction(addMembership, { tenantSlug: "contoso", principalKind: "sign-in-name", principal, role: "tenant-viewer" }, { as: "admin" });
    expect(added).toMatchObject({ ok: true });
    const [row] = await db.select().from(memberships).where(eq(memberships.principal, principal));
    expect(await callAction(removeMembership, { id: row!.id }, { as: "admin" })).toMatchObject({ ok: true });
    expect(await db.select().from(memberships).where(eq(memberships.principal, principal))).toEqual([]);
  });
});

describe("notifications keep tenants apart", () => {
  it("a tenant admin cannot make, test, change or delete another tenant's channels, nor the operators'", async () => {
    const before = await snapshot();
    expect(await callAction(createTenantChannel, { tenantSlug: "fabrikam", kind: "webhook", name: "Sneaky", url: "http://127.0.0.1:9/x" }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    for (const id of [n.fabrikamChannel, n.fleetChannel]) {
      expect(await callAction(testTenantChannel, { id }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
      expect(await callAction(deleteTenantChannel, { id }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
      const change = { id, version: n.version[id], kind: "webhook", name: "Taken over", url: "http://127.0.0.1:9/mine" };
      expect(await callAction(updateTenantChannel, change, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    }
    expect(await callAction(endTenantSilence, { id: n.fleetSilence }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    expect(await callAction(endTenantSilence, { id: n.fabrikamSilence }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    expect(await callAction(deleteTenantRoute, { id: n.fabrikamRoute }, { as: "alice" })).toMatchObject({ ok: false, status: 404 });
    expect(await snapshot()).toEqual(before);
  });

  it("a tenant admin's rule sends only to its own channels and only its own warnings, whatever the form says", async () => {
    const base = { tenantSlug: "contoso", minSeverity: "warning", groupWaitSeconds: "30", repeatIntervalMinutes: "240" };
    for (const channelId of [n.fabrikamChannel, n.fleetChannel]) {
      expect(await callAction(createTenantRoute, { ...base, channelId }, { as: "alice" })).toMatchObject({ ok: false, status: 400, errors: { channelId: [expect.any(String)] } });
    }
    const made = await callAction(createTenantRoute, { ...base, channelId: n.contosoChannel, matchTenantSlug: "fabrikam" }, { as: "alice" });
    if (!made.ok) throw new Error(made.message);
    const [rule] = await db.select().from(notificationRoutes).where(eq(notificationRoutes.id, made.data.routeId));
    expect(rule).toMatchObject({ tenantId: tenantIdOf.contoso, matchTenantId: null, channelId: n.contosoChannel });
  });

  it("a tenant's silence is its own: owned by it and about it, even when it names another tenant", async () => {
    const made = await callAction(createTenantSilence, { tenantSlug: "contoso", durationHours: "1", reason: "Our change window" }, { as: "alice" });
    if (!made.ok) throw new Error(made.message);
    const [silence] = await db.select().from(notificationSilences).where(eq(notificationSilences.id, made.data.silenceId));
    expect(silence).toMatchObject({ ownerTenantId: tenantIdOf.contoso, tenantId: tenantIdOf.contoso, createdBy: "alice@contoso.example" });
    const [fabTunnel] = await db.select().from(tunnels).where(eq(tunnels.tenantId, tenantIdOf.fabrikam));
    expect(await callAction(createTenantSilence, { tenantSlug: "contoso", tunnelId: fabTunnel!.id, durationHours: "1", reason: "Theirs" }, { as: "alice" })).toMatchObject({
      ok: false,
      status: 400,
      errors: { tunnelId: [expect.any(String)] },
    });
  });

  it("a warning shows the silences and maintenance hiding it: operators see theirs too, the tenant only its own", async () => {
    const read = async (as: Persona) => {
      const response = await callRoute(getTenantWarnings as never, { as, path: "/api/v1/tenants/fabrikam/warnings", params: { slug: "fabrikam" } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { active: { id: string; mutes: { kind: string; owner: string; reason: string }[] }[] };
      return body.active.find((w) => w.id === warningId)!.mutes.map((m) => `${m.kind}/${m.owner}`).sort();
    };
    expect(await read("admin")).toEqual(["maintenance/operators", "silence/operators", "silence/tenant"]);
    expect(await read("bob")).toEqual(["maintenance/operators", "silence/tenant"]);
  });

  it("GET /metrics refuses a scrape without a valid token, and a session is no token", async () => {
    for (const authorization of [null, "Bearer bhm_" + "x".repeat(43), "Basic YWRtaW46YWRtaW4="]) {
      const request = new Request(`${CONSOLE_ORIGIN}/metrics`, { headers: authorization ? { authorization } : {} });
      const response = await getMetrics(request);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="bridgehead-metrics"');
    }
    expect((await callRoute(getMetrics as never, { as: "admin", path: "/metrics" })).status).toBe(401);
    const made = await callAction(createScrapeToken, { name: "prometheus-authz" }, { as: "admin" });
    if (!made.ok) throw new Error(made.message);
    const ok = await getMetrics(new Request(`${CONSOLE_ORIGIN}/metrics`, { headers: { authorization: `Bearer ${made.data.token}` } }));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("bridgehead_tunnel_status{");
    expect(await callAction(revokeScrapeToken, { id: made.data.id }, { as: "admin" })).toMatchObject({ ok: true });
    expect((await getMetrics(new Request(`${CONSOLE_ORIGIN}/metrics`, { headers: { authorization: `Bearer ${made.data.token}` } }))).status).toBe(401);
  });
});

describe("signing in", () => {
  async function idTokenFor(signInName: string, nonce: string) {
    const jwk = await getBuiltinSigningKey(readConfig());
    return new SignJWT({ sub: "s-bob", oid: "s-bob", preferred_username: signInName, name: "Bob", roles: [], nonce })
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuer(`${CONSOLE_ORIGIN}/oidc`)
      .setAudience(BUILTIN_CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(await importJWK(jwk, "RS256"));
  }

  it("exchanges a fresh ID token carrying this browser's nonce for a session, once", async () => {
    const started = await callRoute(startSignIn as never, { as: "anonymous", method: "POST" });
    const { nonce } = (await started.json()) as { nonce: string };
    expect(started.headers.get("set-cookie")).toMatch(new RegExp(`^__Host-bh_nonce=${nonce}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=600$`));

    const idToken = await idTokenFor("bob@fabrikam.example", nonce);
    const response = await callRoute(exchangeIdToken as never, { as: "anonymous", method: "POST", body: { idToken }, cookies: `__Host-bh_nonce=${nonce}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ home: "/t/fabrikam", name: "Bob" });
    const cookies = response.headers.getSetCookie();
    expect(cookies[0]).toMatch(/^__Host-bh_session=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=28800$/);
    expect(cookies[1]).toMatch(/^__Host-bh_nonce=; .*Max-Age=0$/);
  });

  it("refuses an ID token without this browser's nonce, or from a foreign page", async () => {
    const idToken = await idTokenFor("bob@fabrikam.example", "nonce-a");
    const noCookie = await callRoute(exchangeIdToken as never, { as: "anonymous", method: "POST", body: { idToken } });
    expect(noCookie.status).toBe(401);
    const otherNonce = await callRoute(exchangeIdToken as never, { as: "anonymous", method: "POST", body: { idToken }, cookies: "__Host-bh_nonce=nonce-b" });
    expect(otherNonce.status).toBe(401);
    expect(otherNonce.headers.get("set-cookie")).toBeNull();
    const foreign = await callRoute(exchangeIdToken as never, {
      as: "anonymous",
      method: "POST",
      body: { idToken },
      cookies: "__Host-bh_nonce=nonce-a",
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
  });
});

describe("tenant and pool actions", () => {
  it("edits what may change, records before and after, and refuses fixed fields by name", async () => {
    const base = ACTIONS.editTenant()[1];
    const edited = await callAction(editTenant, { ...base, id: tenantIdOf.contoso, displayName: "Contoso Manufacturing EU", underlayMtu: 1600, sourceGatewayUnderlayIp: "198.51.100.10" }, { as: "admin" });
    expect(edited).toMatchObject({ ok: true });
    const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantIdOf.contoso));
    expect(row).toMatchObject({ displayName: "Contoso Manufacturing EU", underlayMtu: 1600, subnet: "192.168.10.0/24" });
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.entityId, tenantIdOf.contoso), eq(auditEvents.action, "tenant.edit")));
    expect(audit).toMatchObject({ actor: "admin@bridgehead.example", before: { displayName: "Contoso Manufacturing", underlayMtu: 1500 }, after: { displayName: "Contoso Manufacturing EU", underlayMtu: 1600 } });

    const sneaky = await callAction(editTenant, { ...base, id: tenantIdOf.contoso, subnet: "10.0.0.0/24", vlan: 7 }, { as: "admin" });
    expect(sneaky).toMatchObject({
      ok: false,
      status: 400,
      errors: { subnet: [expect.stringMatching(/^Cannot change after onboarding/)], vlan: [expect.stringMatching(/one tenant keeps one VLAN/)] },
    });
    const [after] = await db.select().from(tenants).where(eq(tenants.id, tenantIdOf.contoso));
    expect(after!.subnet).toBe("192.168.10.0/24");
  });

  it("saves pool rules, says which held VLANs now fall outside them, and rejects bad ranges with the reason", async () => {
    const bad = await callAction(updateVlanPool, { privateCloudId: cloudId, ranges: "100-50", reserved: "", quarantineDays: "30" }, { as: "admin" });
    expect(bad).toMatchObject({ ok: false, status: 400, errors: { ranges: [expect.any(String)] } });
    const saved = await callAction(updateVlanPool, { privateCloudId: cloudId, ranges: "100-115", reserved: "1, 1002-1005", quarantineDays: "14" }, { as: "admin" });
    expect(saved).toMatchObject({ ok: true, message: "Pool saved. VLAN 120 is held outside the new rules and stays with its tenant." });
    const [pool] = await db.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloudId));
    expect(pool).toMatchObject({ ranges: [{ from: 100, to: 115 }], reservedVlans: [1, 1002, 1003, 1004, 1005], quarantineDays: 14 });
  });
});
