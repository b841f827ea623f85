import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { authenticateAgent } from "@/lib/auth/agent";
import type { Principal } from "@/lib/auth/permissions";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import { revokePreviousAgentToken, rotateAgentToken } from "@/lib/commands/tunnels";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import { decryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import { listTenantEndpoints } from "@/lib/queries/tunnels";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { describeEachDatabase } from "./support/databases";

const HOUR = 3600_000;
const admin: Principal = { kind: "user", userId: "00000000-0000-4000-8000-000000000001", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };
const bearer = (token: string) => `Bearer ${token}`;

describeEachDatabase("agent token rotation with a grace window", ({ handle }) => {
  let db: Database;
  const secretsKey = randomBytes(32);
  const t0 = new Date("2026-11-20T08:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  /** One demo endpoint per test, with its current token as the demo seed issued it. */
  async function endpointOf(slug: string, side: "source" | "avs") {
    const [row] = await db
      .select({ id: tunnelEndpoints.id, tenantId: tunnels.tenantId })
      .from(tunnelEndpoints)
      .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
      .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
      .where(eq(tenants.slug, slug));
    const all = await db.select().from(tunnelEndpoints).innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId)).where(eq(tunnels.tenantId, row!.tenantId));
    const endpoint = all.find((r) => r.tunnel_endpoints.side === side)!.tunnel_endpoints;
    return { id: endpoint.id, tenantId: row!.tenantId, token: await decryptSecret(endpoint.agentTokenCiphertext!, secretsKey, SECRET_PURPOSE.agentToken) };
  }

  const rotate = (endpointId: string, graceHours: number, now: Date) => rotateAgentToken(db, admin, endpointId, { secretsKey, graceHours, now });
  const report = async (token: string, now: Date) => {
    const agent = await authenticateAgent(bearer(token), db, now);
    if (agent) await ingestSamples(db, agent, [{ measuredAt: new Date(now.getTime() - 1000).toISOString(), rttMs: 10 }], now);
    return agent;
  };
  const shown = async (tenantId: string, endpointId: string, now: Date) => (await listTenantEndpoints(db, tenantId, now)).find((e) => e.id === endpointId)!;

  beforeAll(async () => {
    db = handle().db;
    await seedDemoData(db, { secretsKey });
  });

  it("the previous token keeps working through the grace window, then stops; the page says which one the agent uses", async () => {
    const endpoint = await endpointOf("contoso", "source");
    expect(await report(endpoint.token, t0)).toMatchObject({ endpointId: endpoint.id, tokenUsed: "current" });
    expect((await shown(endpoint.tenantId, endpoint.id, t0)).tokenInUse).toBe("current");

    const rotated = await rotate(endpoint.id, 24, at(HOUR));
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.previousValidUntil).toEqual(at(25 * HOUR));

    // The real agent has not been redeployed: it still sends the old token, which still works.
    expect(await report(endpoint.token, at(2 * HOUR))).toMatchObject({ endpointId: endpoint.id, tokenUsed: "previous" });
    expect(await shown(endpoint.tenantId, endpoint.id, at(2 * HOUR))).toMatchObject({ tokenInUse: "previous", previousValidUntil: at(25 * HOUR), previousIssuedAt: expect.any(Date) });
    // Redeployed: the new token.
    expect(await report(rotated.token, at(3 * HOUR))).toMatchObject({ tokenUsed: "current" });
    expect((await shown(endpoint.tenantId, endpoint.id, at(3 * HOUR))).tokenInUse).toBe("current");

    // The window closes: the old token is refused, the new one goes on.
    expect(await authenticateAgent(bearer(endpoint.token), db, at(25 * HOUR - 1))).not.toBeNull();
    expect(await authenticateAgent(bearer(endpoint.token), db, at(25 * HOUR))).toBeNull();
    expect(await authenticateAgent(bearer(rotated.token), db, at(25 * HOUR))).not.toBeNull();
    expect(await shown(endpoint.tenantId, endpoint.id, at(25 * HOUR))).toMatchObject({ previousValidUntil: null, previousIssuedAt: null });
  });

  it("lookups made together are answered each on its own: its token, its own clock for the grace window", async () => {
    const endpoint = await endpointOf("fabrikam", "avs");
    const rotated = await rotate(endpoint.id, 1, t0);
    if (!rotated.ok) throw new Error(rotated.message);
    // All five are asked at once; the last four are answered by one statement.
    const answers = await Promise.all([
      authenticateAgent(bearer(rotated.token), db, at(HOUR)),
      authenticateAgent(bearer(endpoint.token), db, at(HOUR - 1)),
      authenticateAgent(bearer(endpoint.token), db, at(HOUR)),
      authenticateAgent(bearer(`agt_${"x".repeat(43)}`), db, at(HOUR)),
      authenticateAgent(bearer(rotated.token), db, at(2 * HOUR)),
    ]);
    expect(answers.map((a) => a && { endpointId: a.endpointId, tokenUsed: a.tokenUsed })).toEqual([
      { endpointId: endpoint.id, tokenUsed: "current" },
      { endpointId: endpoint.id, tokenUsed: "previous" },
      null,
      null,
      { endpointId: endpoint.id, tokenUsed: "current" },
    ]);
  });

  it("an agent that never got the new token shows as using a retired one once the window closes", async () => {
    const endpoint = await endpointOf("contoso", "avs");
    await report(endpoint.token, t0);
    const rotated = await rotate(endpoint.id, 1, at(HOUR));
    if (!rotated.ok) throw new Error(rotated.message);
    await report(endpoint.token, at(HOUR + 60_000));
    expect((await shown(endpoint.tenantId, endpoint.id, at(HOUR + 120_000))).tokenInUse).toBe("previous");
    expect((await shown(endpoint.tenantId, endpoint.id, at(3 * HOUR))).tokenInUse).toBe("retired");
  });

  it("revoke now stops a leaked previous token at once; the new one works; there is nothing to revoke twice", async () => {
    const endpoint = await endpointOf("fabrikam", "source");
    const rotated = await rotate(endpoint.id, 24, t0);
    if (!rotated.ok) throw new Error(rotated.message);
    expect(await authenticateAgent(bearer(endpoint.token), db, at(HOUR))).not.toBeNull();
    expect(await revokePreviousAgentToken(db, admin, endpoint.id, at(HOUR))).toMatchObject({ ok: true });
    expect(await authenticateAgent(bearer(endpoint.token), db, at(HOUR))).toBeNull();
    expect(await authenticateAgent(bearer(rotated.token), db, at(HOUR))).toMatchObject({ tokenUsed: "current" });
    expect(await revokePreviousAgentToken(db, admin, endpoint.id, at(HOUR))).toMatchObject({ ok: false, status: 409 });
  });

  it("with no grace window a rotated token stops at once", async () => {
    const endpoint = await endpointOf("fabrikam", "avs");
    const rotated = await rotate(endpoint.id, 0, t0);
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.previousValidUntil).toBeNull();
    expect(await authenticateAgent(bearer(endpoint.token), db, t0)).toBeNull();
    expect(await authenticateAgent(bearer(rotated.token), db, t0)).not.toBeNull();
  });

  it("a second rotation inside the window retires the oldest token and keeps the one before it", async () => {
    const endpoint = await endpointOf("woodgrove", "source");
    const first = await rotate(endpoint.id, 24, t0);
    const second = await rotate(endpoint.id, 24, at(HOUR));
    if (!first.ok || !second.ok) throw new Error("rotation refused");
    expect(await authenticateAgent(bearer(endpoint.token), db, at(2 * HOUR))).toBeNull();
    expect(await authenticateAgent(bearer(first.token), db, at(2 * HOUR))).toMatchObject({ tokenUsed: "previous" });
    expect(await authenticateAgent(bearer(second.token), db, at(2 * HOUR))).toMatchObject({ tokenUsed: "current" });
  });

  it("rotating again while the agent still runs the previous token keeps that token, on its own window, and retires the undeployed one", async () => {
    // The first new token never reached the gateway (its one-time copy was lost), so a tenant
    // admin rotates again: the agent, still reporting with the original, must not go dark.
    const endpoint = await endpointOf("woodgrove", "avs");
    expect(await report(endpoint.token, t0)).toMatchObject({ tokenUsed: "current" });
    const first = await rotate(endpoint.id, 24, at(HOUR));
    if (!first.ok) throw new Error(first.message);
    expect(await report(endpoint.token, at(2 * HOUR))).toMatchObject({ tokenUsed: "previous" });
    const second = await rotate(endpoint.id, 24, at(3 * HOUR));
    if (!second.ok) throw new Error(second.message);
    // What the page tells the admin is true: the token the agent runs works until then.
    expect(second.previousValidUntil).toEqual(at(25 * HOUR));
    expect(await report(endpoint.token, at(4 * HOUR))).toMatchObject({ endpointId: endpoint.id, tokenUsed: "previous" });
    expect((await shown(endpoint.tenantId, endpoint.id, at(4 * HOUR))).tokenInUse).toBe("previous");
    expect(await authenticateAgent(bearer(first.token), db, at(4 * HOUR))).toBeNull();
    expect(await authenticateAgent(bearer(second.token), db, at(4 * HOUR))).toMatchObject({ tokenUsed: "current" });
    // Its window is the one the first rotation gave it, not a new one.
    expect(await authenticateAgent(bearer(endpoint.token), db, at(25 * HOUR))).toBeNull();
  });

  /** Every endpoint of a tenant with its current token. */
  async function endpointsOf(slug: string) {
    const rows = await db
      .select({ id: tunnelEndpoints.id, ciphertext: tunnelEndpoints.agentTokenCiphertext })
      .from(tunnelEndpoints)
      .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
      .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
      .where(eq(tenants.slug, slug));
    return Promise.all(rows.filter((r) => r.ciphertext).map(async (r) => ({ id: r.id, token: await decryptSecret(r.ciphertext!, secretsKey, SECRET_PURPOSE.agentToken) })));
  }

  it("a large group of lookups answers each with its own endpoint, whatever order the tokens come in", async () => {
    const endpoints = (await Promise.all(["woodgrove", "proseware", "alpine", "wingtip", "fourthcoffee"].map(endpointsOf))).flat();
    expect(endpoints.length).toBeGreaterThanOrEqual(5);
    // Every token three times, shuffled by a fixed rule, with unknown tokens between: one group of several hundred.
    const asked = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? null : endpoints[(i * 13) % endpoints.length]!));
    const answers = await Promise.all(asked.map((e, i) => authenticateAgent(bearer(e ? e.token : `agt_${String(i).padStart(43, "u")}`), db, t0)));
    expect(answers.map((a) => a?.endpointId ?? null)).toEqual(asked.map((e) => e?.id ?? null));
    expect(answers.every((a) => a === null || a.tokenUsed === "current")).toBe(true);
  });

  it("a tenant being offboarded has its agents refused at once, even before its tokens are cleared; the others in the same group are not", async () => {
    const [leaving] = await endpointsOf("wingtip");
    const [staying] = await endpointsOf("alpine");
    const [tenant] = await db.select({ state: tenants.state }).from(tenants).where(eq(tenants.slug, "wingtip"));
    await db.update(tenants).set({ state: "offboarding" }).where(eq(tenants.slug, "wingtip"));
    try {
      const [refused, kept] = await Promise.all([authenticateAgent(bearer(leaving!.token), db, t0), authenticateAgent(bearer(staying!.token), db, t0)]);
      expect(refused).toBeNull();
      expect(kept).toMatchObject({ endpointId: staying!.id, tokenUsed: "current" });
    } finally {
      await db.update(tenants).set({ state: tenant!.state }).where(eq(tenants.slug, "wingtip"));
    }
    expect(await authenticateAgent(bearer(leaving!.token), db, t0)).toMatchObject({ endpointId: leaving!.id });
  });

  it("offboarding revokes the previous token with the current one", async () => {
    const endpoint = await endpointOf("tailspin", "source");
    const rotated = await rotate(endpoint.id, 24, t0);
    if (!rotated.ok) throw new Error(rotated.message);
    expect(await offboardTenant(db, admin, endpoint.tenantId, at(HOUR))).toMatchObject({ ok: true });
    expect(await authenticateAgent(bearer(endpoint.token), db, at(HOUR))).toBeNull();
    const [row] = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpoint.id));
    expect(row).toMatchObject({ agentTokenHash: null, previousTokenHash: null, previousTokenValidUntil: null });
  });
});
