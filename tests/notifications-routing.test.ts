/**
 * Routing, grouping, repeat, resolved, silences, maintenance and inhibition, each proven by a
 * scripted warning sequence on an injected clock, delivered to a real HTTPS webhook receiver
 * that verifies every signature. Each test routes one demo tenant to its own receiver path, so
 * the tests do not see each other's notifications.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createChannel } from "@/lib/commands/notification-channels";
import { createRoute } from "@/lib/commands/notification-rules";
import { createMaintenanceWindow, createSilence, endSilence } from "@/lib/commands/quiet-periods";
import { acknowledgeWarnings } from "@/lib/commands/acknowledge-warnings";
import { tenants as tenantsTable, tunnels } from "@/lib/db/schema";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import type { WarningSeverity } from "@/lib/domain/status";
import type { WarningKind } from "@/lib/domain/warning-kinds";
import type { Notification } from "@/lib/notifications/payload";
import { SIGNATURE_HEADERS, verifyWebhook } from "@/lib/notifications/signature";
import { describeEachDatabase } from "./support/databases";
import { ADMIN, runJobAt, seedTenants, testClock, warningScript } from "./support/notification-fixtures";
import { startHttpsReceiver, type HttpsReceiver } from "./support/receivers";
import { createTunnels } from "./support/telemetry-fixtures";

let receiver: HttpsReceiver;
beforeAll(async () => {
  receiver = await startHttpsReceiver();
});
afterAll(async () => receiver?.close());

describeEachDatabase("notification routing", ({ handle }) => {
  let fixtures: Awaited<ReturnType<typeof seedTenants>>;
  const secrets = new Map<string, string>();
  beforeAll(async () => {
    fixtures = await seedTenants(handle().db);
  });

  /** A webhook channel at /hook/<name> and a rule sending it one tenant's warnings. */
  async function route(name: string, slug: string, rule: { minSeverity?: WarningSeverity; kinds?: WarningKind[]; groupWaitSeconds?: number; repeatIntervalMinutes?: number; sendResolved?: boolean } = {}) {
    const db = handle().db;
    const channel = await createChannel(db, ADMIN, null, { kind: "webhook", name, url: receiver.url(`/hook/${name}-${handle().kind}`) }, { secretsKey: fixtures.secretsKey, allowLoopback: true });
    if (!channel.ok) throw new Error(channel.message + JSON.stringify(channel.errors));
    secrets.set(name, channel.signingSecret!);
    const created = await createRoute(db, ADMIN, null, {
      channelId: channel.channelId,
      minSeverity: rule.minSeverity ?? "warning",
      kinds: rule.kinds ?? [],
      matchTenantSlug: slug,
      groupWaitSeconds: rule.groupWaitSeconds ?? 30,
      repeatIntervalMinutes: rule.repeatIntervalMinutes ?? 60,
      sendResolved: rule.sendResolved ?? true,
    });
    if (!created.ok) throw new Error(created.message);
    return channel.channelId;
  }

  /** What the receiver got at /hook/<name>, each signature verified on the way. */
  function inbox(name: string): Notification[] {
    return receiver.received
      .filter((r) => r.path === `/hook/${name}-${handle().kind}`)
      .map((r) => {
        const timestamp = r.headers[SIGNATURE_HEADERS.timestamp] as string;
        const verdict = verifyWebhook(secrets.get(name)!, { signature: r.headers[SIGNATURE_HEADERS.signature] as string, timestamp }, r.body, Number(timestamp));
        expect(verdict).toEqual({ ok: true });
        const body = JSON.parse(r.body) as Notification;
        expect(r.headers[SIGNATURE_HEADERS.delivery]).toBe(body.id);
        return body;
      });
  }
  const kinds = (ws: { kind: string }[]) => ws.map((w) => w.kind).sort();
  const run = (at: Date) => runJobAt(handle().db, at, { secretsKey: fixtures.secretsKey, ca: receiver.ca });

  it("groups warnings opened within the group wait into one notification, repeats it, then says resolved", async () => {
    const db = handle().db;
    const clock = testClock();
    await route("grouping", "contoso");
    const script = warningScript(db);
    const tunnel = fixtures.tunnelOf("contoso").id;
    const loss = await script.open({ tenantId: fixtures.tenantId("contoso"), tunnelId: tunnel, kind: "loss", severity: "warning", at: clock.at(0) });
    await run(clock.at(5));
    const jitter = await script.open({ tenantId: fixtures.tenantId("contoso"), tunnelId: tunnel, kind: "jitter", severity: "warning", at: clock.at(10) });
    const mtu = await script.open({ tenantId: fixtures.tenantId("contoso"), tunnelId: tunnel, kind: "path-mtu", severity: "critical", at: clock.at(20) });
    await run(clock.at(29));
    expect(inbox("grouping")).toHaveLength(0);

    await run(clock.at(30));
    const [first] = inbox("grouping");
    expect(inbox("grouping")).toHaveLength(1);
    expect(first).toMatchObject({ schema: "bridgehead.notification/v1", event: "firing", status: "firing", tenant: { slug: "contoso" }, resolved: [] });
    expect(kinds(first!.firing)).toEqual(["jitter", "loss", "path-mtu"]);
    expect(first!.firing.every((w) => w.isNew)).toBe(true);
    expect(first!.title).toMatch(/^Critical: 3 warnings open for Contoso/);

    // Nothing new: quiet until the repeat interval (60 min after the notification), then the same three again.
    await run(clock.at(30 + 59 * 60));
    expect(inbox("grouping")).toHaveLength(1);
    await run(clock.at(30 + 60 * 60));
    expect(inbox("grouping")).toHaveLength(2);
    expect(inbox("grouping")[1]).toMatchObject({ event: "repeat", status: "firing" });
    expect(kinds(inbox("grouping")[1]!.firing)).toEqual(["jitter", "loss", "path-mtu"]);
    expect(inbox("grouping")[1]!.firing.some((w) => w.isNew)).toBe(false);

    // One resolves: after the group wait, a notification lists it as resolved beside the two still firing.
    await script.resolve(loss, clock.at(4000));
    await run(clock.at(4029));
    expect(inbox("grouping")).toHaveLength(2);
    await run(clock.at(4030));
    const partial = inbox("grouping")[2]!;
    expect(kinds(partial.resolved)).toEqual(["loss"]);
    expect(kinds(partial.firing)).toEqual(["jitter", "path-mtu"]);

    await script.resolve(jitter, clock.at(5000));
    await script.resolve(mtu, clock.at(5001));
    await run(clock.at(5031));
    const last = inbox("grouping")[3]!;
    expect(last).toMatchObject({ event: "resolved", status: "resolved", firing: [] });
    expect(kinds(last.resolved)).toEqual(["jitter", "path-mtu"]);
    expect(last.resolved[0]!.resolvedAt).not.toBeNull();
    // And then nothing more: no repeat of a group with nothing firing.
    await run(clock.at(5031 + 10 * 3600));
    expect(inbox("grouping")).toHaveLength(4);
  });

  it("takes only what the rule asks for, and announces a warning again when its severity rises to the rule's level", async () => {
    const db = handle().db;
    const clock = testClock();
    await route("critical-only", "fabrikam", { minSeverity: "critical", groupWaitSeconds: 0 });
    const script = warningScript(db);
    const tenantId = fixtures.tenantId("fabrikam");
    const tunnel = fixtures.tunnelOf("fabrikam").id;
    const latency = await script.open({ tenantId, tunnelId: tunnel, kind: "latency-objective", severity: "warning", at: clock.at(0) });
    await run(clock.at(1));
    expect(inbox("critical-only")).toHaveLength(0);
    await script.escalate(latency, "critical", clock.at(100));
    await run(clock.at(101));
    expect(inbox("critical-only")).toHaveLength(1);
    expect(inbox("critical-only")[0]!.firing).toMatchObject([{ id: latency, severity: "critical", isNew: true }]);
  });

  it("a silence keeps matching warnings out until it ends; they are announced then; the silence shows its who and why", async () => {
    const db = handle().db;
    const clock = testClock();
    await route("silenced", "tailspin", { groupWaitSeconds: 10 });
    const script = warningScript(db);
    const tenantId = fixtures.tenantId("tailspin");
    const tunnel = fixtures.tunnelOf("tailspin").id;
    const silence = await createSilence(db, ADMIN, null, { tenantSlug: "tailspin", kind: "loss", durationHours: 1, reason: "Carrier maintenance on the MPLS link" }, clock.at(0));
    expect(silence).toMatchObject({ ok: true });
    await script.open({ tenantId, tunnelId: tunnel, kind: "loss", severity: "warning", at: clock.at(60) });
    const jitter = await script.open({ tenantId, tunnelId: tunnel, kind: "jitter", severity: "warning", at: clock.at(61) });
    await run(clock.at(80));
    expect(inbox("silenced")).toHaveLength(1);
    expect(kinds(inbox("silenced")[0]!.firing)).toEqual(["jitter"]);
    await script.resolve(jitter, clock.at(100));
    await run(clock.at(200));
    expect(inbox("silenced")).toHaveLength(2);

    // The silence runs out at 3600 s; the loss warning, still open, is announced then without any new event.
    await run(clock.at(3599));
    expect(inbox("silenced")).toHaveLength(2);
    await run(clock.at(3600));
    expect(inbox("silenced")).toHaveLength(3);
    expect(kinds(inbox("silenced")[2]!.firing)).toEqual(["loss"]);
  });

  it("ending a silence early lets its warnings through at the next round", async () => {
    const db = handle().db;
    const clock = testClock();
    await route("ended-early", "woodgrove", { groupWaitSeconds: 0 });
    const script = warningScript(db);
    const silence = await createSilence(db, ADMIN, null, { tenantSlug: "woodgrove", durationHours: 4, reason: "Noisy during the migration" }, clock.at(0));
    if (!silence.ok) throw new Error(silence.message);
    await script.open({ tenantId: fixtures.tenantId("woodgrove"), tunnelId: fixtures.tunnelOf("woodgrove").id, kind: "loss", severity: "warning", at: clock.at(10) });
    await run(clock.at(20));
    expect(inbox("ended-early")).toHaveLength(0);
    expect(await endSilence(db, ADMIN, silence.silenceId, clock.at(30))).toEqual({ ok: true });
    await run(clock.at(31));
    expect(inbox("ended-early")).toHaveLength(1);
  });

  it("a maintenance window puts the tunnel in maintenance and its warnings notify nobody until it ends", async () => {
    const db = handle().db;
    const clock = testClock(new Date(Date.now() + 3600_000));
    await route("maintenance", "proseware", { groupWaitSeconds: 0 });
    const script = warningScript(db);
    const tenantId = fixtures.tenantId("proseware");
    const tunnel = fixtures.tunnelOf("proseware");
    const made = await createMaintenanceWindow(db, ADMIN, { tenantSlug: "proseware", tunnelId: tunnel.id, durationHours: 2, reason: "Replacing the source gateway" }, clock.at(0));
    expect(made).toMatchObject({ ok: true });
    const [row] = await db.select().from(tunnels).where(eq(tunnels.id, tunnel.id));
    expect(row!.maintenanceUntil).toEqual(clock.at(7200));
    // The evaluation then writes the status every tile reads.
    await runWarningEvaluation(db, { now: clock.at(10) });
    const [tile] = await db.select({ status: tunnels.status }).from(tunnels).where(eq(tunnels.id, tunnel.id));
    expect(tile!.status).toBe("maintenance");

    await script.open({ tenantId, tunnelId: tunnel.id, kind: "tunnel-down", severity: "critical", at: clock.at(60) });
    // A tenant-wide warning is not covered by one tunnel's window.
    await script.open({ tenantId, tunnelId: null, kind: "single-point-of-failure", severity: "warning", at: clock.at(61) });
    await run(clock.at(120));
    expect(inbox("maintenance")).toHaveLength(1);
    expect(kinds(inbox("maintenance")[0]!.firing)).toEqual(["single-point-of-failure"]);

    await run(clock.at(7200));
    expect(inbox("maintenance")).toHaveLength(2);
    expect(inbox("maintenance")[1]!.firing.find((w) => w.kind === "tunnel-down")).toMatchObject({ isNew: true });
    const [after] = await db.select().from(tunnels).where(eq(tunnels.id, tunnel.id));
    expect(after!.maintenanceUntil).toBeNull();
  });

  it("while a tunnel is down its other tunnel-level warnings are inhibited; another tunnel's and tenant-wide ones are not", async () => {
    const db = handle().db;
    const clock = testClock();
    await route("inhibition", "alpine", { groupWaitSeconds: 0 });
    const script = warningScript(db);
    const tenantId = fixtures.tenantId("alpine");
    const first = fixtures.tunnelOf("alpine", 1).id;
    const second = fixtures.tunnelOf("alpine", 2).id;
    const down = await script.open({ tenantId, tunnelId: first, kind: "tunnel-down", severity: "critical", at: clock.at(0) });
    await script.open({ tenantId, tunnelId: first, kind: "loss", severity: "critical", at: clock.at(1) });
    await script.open({ tenantId, tunnelId: second, kind: "jitter", severity: "warning", at: clock.at(2) });
    await script.open({ tenantId, tunnelId: null, kind: "single-point-of-failure", severity: "warning", at: clock.at(3) });
    await run(clock.at(10));
    expect(inbox("inhibition")).toHaveLength(1);
    expect(inbox("inhibition")[0]!.firing.map((w) => `${w.kind}@${w.tunnel?.id ?? "tenant"}`).sort()).toEqual(
      [`jitter@${second}`, `single-point-of-failure@tenant`, `tunnel-down@${first}`].sort(),
    );
    // The tunnel comes back up but loss persists: now it is news.
    await script.resolve(down, clock.at(100));
    await run(clock.at(101));
    const next = inbox("inhibition")[1]!;
    expect(kinds(next.resolved)).toEqual(["tunnel-down"]);
    expect(next.firing.find((w) => w.kind === "loss")).toMatchObject({ isNew: true, tunnel: { id: first } });
  });

  it("an acknowledged warning stops repeating, and is still announced when it resolves", async () => {
    const db = handle().db;
    const clock = testClock();
    await route("acknowledged", "wingtip", { groupWaitSeconds: 0, repeatIntervalMinutes: 30 });
    const script = warningScript(db);
    const id = await script.open({ tenantId: fixtures.tenantId("wingtip"), tunnelId: fixtures.tunnelOf("wingtip").id, kind: "loss", severity: "warning", at: clock.at(0) });
    await run(clock.at(1));
    expect(inbox("acknowledged")).toHaveLength(1);
    expect(await acknowledgeWarnings(db, ADMIN, [id], { now: clock.at(60) })).toEqual({ acknowledged: 1, alreadyHandled: 0 });
    await run(clock.at(61));
    await run(clock.at(31 * 60));
    await run(clock.at(3 * 3600));
    expect(inbox("acknowledged")).toHaveLength(1);
    await script.resolve(id, clock.at(4 * 3600));
    await run(clock.at(4 * 3600 + 1));
    expect(inbox("acknowledged")).toHaveLength(2);
    expect(inbox("acknowledged")[1]).toMatchObject({ event: "resolved", resolved: [{ id }] });
  });

  it("the evaluation's own warning changes reach the outbox in its transaction and come out as a notification", async () => {
    const db = handle().db;
    // A tenant of its own, whose tunnel's agents have never reported: the evaluation opens "stale" (info) for both ends.
    const [fresh] = await createTunnels(db, 1);
    const [tenant] = await db.select({ slug: tenantsTable.slug }).from(tenantsTable).where(eq(tenantsTable.id, fresh!.tenantId));
    await route("evaluation", tenant!.slug, { minSeverity: "info", kinds: ["stale"], groupWaitSeconds: 0 });
    const now = new Date(Date.now() + 1000);
    const round = await runWarningEvaluation(db, { now });
    expect(round).toMatchObject({ ran: true });
    await runJobAt(db, now, { secretsKey: fixtures.secretsKey, ca: receiver.ca });
    const [notification] = inbox("evaluation");
    expect(notification!.firing.map((w) => `${w.kind}/${w.severity}`)).toEqual(["stale/info", "stale/info"]);
    expect(notification!.firing[0]!.summary).toMatch(/telemetry agent has never reported/);
  });

  it("a rule made while warnings are open announces them after its group wait", async () => {
    const db = handle().db;
    const clock = testClock(new Date(Date.now() - 60_000));
    const script = warningScript(db);
    await script.open({ tenantId: fixtures.tenantId("fourthcoffee"), tunnelId: null, kind: "stretch-past-cutover", severity: "warning", at: clock.at(0) });
    await run(clock.at(1));
    await route("late-rule", "fourthcoffee", { groupWaitSeconds: 5 });
    await run(new Date(Date.now() + 5_000));
    expect(kinds(inbox("late-rule")[0]?.firing ?? [])).toEqual(["stretch-past-cutover"]);
  });
});
