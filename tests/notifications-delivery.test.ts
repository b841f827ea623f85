/**
 * Delivery to real receivers: a Teams-shaped HTTPS receiver that parses the card with Microsoft's
 * own Adaptive Cards library, an in-process SMTP server that receives and parses the actual
 * e-mail, and an HTTPS webhook receiver that answers 503, 429 with Retry-After, or goes away.
 * Time is the test's clock; nothing sleeps. Every notification must arrive exactly once.
 */
import * as AdaptiveCards from "adaptivecards";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChannel, sendTestNotification } from "@/lib/commands/notification-channels";
import { createRoute } from "@/lib/commands/notification-rules";
import { notificationAttempts, notificationDeliveries } from "@/lib/db/schema";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import type { Notification } from "@/lib/notifications/payload";
import { runNotificationSender } from "@/lib/notifications/sender";
import { openDatabase } from "@/lib/db/client";
import { runNotificationDispatch } from "@/lib/notifications/dispatch";
import { createPostgresDatabase, describeEachDatabase, postgresAvailable } from "./support/databases";
import { ADMIN, CONSOLE_URL, runJobAt, seedTenants, testClock, warningScript } from "./support/notification-fixtures";
import { startHttpsReceiver, startSmtpSink, type HttpsReceiver, type SmtpSink } from "./support/receivers";

let receiver: HttpsReceiver;
let smtp: SmtpSink;
beforeAll(async () => {
  receiver = await startHttpsReceiver();
  smtp = await startSmtpSink();
});
afterAll(async () => {
  await receiver?.close();
  await smtp?.close();
});

describeEachDatabase("notification delivery", ({ handle, kind }) => {
  let fixtures: Awaited<ReturnType<typeof seedTenants>>;
  beforeAll(async () => {
    fixtures = await seedTenants(handle().db);
  });
  const env = () => ({ secretsKey: fixtures.secretsKey, allowLoopback: true, consoleUrl: CONSOLE_URL, ca: receiver.ca });
  const at = (path: string) => receiver.received.filter((r) => r.path === `${path}-${kind}`);

  async function channelWithRule(input: Parameters<typeof createChannel>[3], slug: string) {
    const db = handle().db;
    const channel = await createChannel(db, ADMIN, null, input, env());
    if (!channel.ok) throw new Error(`${channel.message} ${JSON.stringify(channel.errors)}`);
    await createRoute(db, ADMIN, null, { channelId: channel.channelId, minSeverity: "info", kinds: [], matchTenantSlug: slug, groupWaitSeconds: 0, repeatIntervalMinutes: 600, sendResolved: true });
    return channel.channelId;
  }

  it("posts an Adaptive Card a Teams receiver accepts: severity colour, tenant, tunnel, what to do and a button to the console", async () => {
    const db = handle().db;
    const clock = testClock();
    await channelWithRule({ kind: "teams", name: "Ops Teams", url: receiver.url(`/teams-${kind}`) }, "contoso");
    const tunnel = fixtures.tunnelOf("contoso");
    await warningScript(db).open({ tenantId: fixtures.tenantId("contoso"), tunnelId: tunnel.id, kind: "path-mtu", severity: "critical", at: clock.at(0), message: "1500-byte probe lost" });
    await runJobAt(db, clock.at(1), env());
    expect(at("/teams")).toHaveLength(1);
    const message = JSON.parse(at("/teams")[0]!.body) as { type: string; attachments: { contentType: string; content: Record<string, unknown> }[] };
    expect(message.type).toBe("message");
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");

    // Microsoft's own parser: no unknown element, property or value in the card.
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    card.parse(message.attachments[0]!.content, context);
    const problems = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
    expect(problems).toEqual([]);
    const text = JSON.stringify(card.toJSON());
    expect(card.getItemCount()).toBeGreaterThan(3);
    expect((message.attachments[0]!.content.body as { style?: string }[])[0]!.style).toBe("attention");
    for (const fact of ["Contoso Manufacturing (contoso)", tunnel.name, "Critical", "1500-byte probe lost", "What to do: Raise the underlay MTU"]) expect(text).toContain(fact);
    expect(card.getActionCount()).toBe(1);
    expect(card.getActionAt(0)).toMatchObject({ title: "Open in Bridgehead", url: `${CONSOLE_URL}/t/contoso` });
  });

  it("sends one e-mail per group, plain text and HTML, to a real SMTP server, with the password kept encrypted", async () => {
    const db = handle().db;
    const clock = testClock();
    const channelId = await channelWithRule(
      { kind: "email", name: "NOC mail", host: "127.0.0.1", port: smtp.port, security: "none", from: "bridgehead@ops.example", to: [`noc-${kind}@ops.example`, `lead-${kind}@ops.example`] },
      "fabrikam",
    );
    const script = warningScript(db);
    await script.open({ tenantId: fixtures.tenantId("fabrikam"), tunnelId: fixtures.tunnelOf("fabrikam").id, kind: "loss", severity: "warning", at: clock.at(0), message: "Loss 4 % <b>& rising</b>" });
    await script.open({ tenantId: fixtures.tenantId("fabrikam"), tunnelId: null, kind: "tromboning", severity: "info", at: clock.at(0) });
    await runJobAt(db, clock.at(1), env());
    const mine = smtp.messages.filter((m) => m.envelopeTo.includes(`noc-${kind}@ops.example`));
    expect(mine).toHaveLength(1);
    const mail = mine[0]!;
    expect(mail.subject).toBe("[Bridgehead] Warning: 2 warnings open for Fabrikam Health");
    expect(mail.envelopeTo.sort()).toEqual([`lead-${kind}@ops.example`, `noc-${kind}@ops.example`]);
    expect(mail.text).toContain("Loss 4 % <b>& rising</b>");
    expect(mail.text).toContain("What to do: Look for congestion");
    // The HTML part escapes what a rule message says; it never becomes markup.
    expect(mail.html).toContain("Loss 4 % &lt;b&gt;&amp; rising&lt;/b&gt;");
    expect(mail.html).not.toContain("<b>& rising</b>");
    const [delivery] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId));
    expect(mail.messageId).toBe(`<${delivery!.id}@bridgehead.notifications>`);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, lastAnswer: expect.stringMatching(/^250 /) });
  });

  it("retries a 503 with backoff and honours a 429's Retry-After, then delivers once, every attempt in the log", async () => {
    const db = handle().db;
    const clock = testClock();
    const answers = [
      { status: 503, body: "overloaded" },
      { status: 429, headers: { "retry-after": "120" }, body: "slow down" },
      { status: 202, body: "queued" },
    ];
    receiver.setAnswer((r) => (r.path === `/busy-${kind}` ? answers.shift()! : { status: 200, body: "ok" }));
    const channelId = await channelWithRule({ kind: "webhook", name: "Busy hook", url: receiver.url(`/busy-${kind}`) }, "tailspin");
    await warningScript(db).open({ tenantId: fixtures.tenantId("tailspin"), tunnelId: null, kind: "single-point-of-failure", severity: "warning", at: clock.at(0) });
    await runJobAt(db, clock.at(0), env());
    const [afterFirst] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId));
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1, lastAnswer: "503 Service Unavailable: overloaded" });
    expect(afterFirst!.nextAttemptAt).toEqual(clock.at(DELIVERY_LIMITS.backoffBaseMs / 1000));

    await runJobAt(db, clock.at(9), env());
    expect(at("/busy")).toHaveLength(1);
    await runJobAt(db, clock.at(10), env());
    const [afterSecond] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId));
    expect(afterSecond).toMatchObject({ status: "pending", attempts: 2 });
    expect(afterSecond!.nextAttemptAt).toEqual(clock.at(10 + 120));

    await runJobAt(db, clock.at(129), env());
    expect(at("/busy")).toHaveLength(2);
    await runJobAt(db, clock.at(130), env());
    await runJobAt(db, clock.at(3600), env());
    expect(at("/busy")).toHaveLength(3);
    const ids = new Set(at("/busy").map((r) => r.headers["bridgehead-delivery"]));
    expect(ids.size).toBe(1);
    const attempts = await db.select().from(notificationAttempts).where(eq(notificationAttempts.deliveryId, afterFirst!.id)).orderBy(notificationAttempts.at);
    expect(attempts.map((a) => [a.code, a.outcome])).toEqual([
      [503, "retry"],
      [429, "retry"],
      [202, "delivered"],
    ]);
  });

  it("a receiver down for an hour gets every notification once, in order, when it comes back", async () => {
    const db = handle().db;
    const clock = testClock();
    const down = await startHttpsReceiver({ tls: receiver.tls });
    const channelId = await channelWithRule({ kind: "webhook", name: "Flaky hook", url: down.url("/hook") }, "woodgrove");
    await down.down();
    const script = warningScript(db);
    const tenantId = fixtures.tenantId("woodgrove");
    const tunnelId = fixtures.tunnelOf("woodgrove").id;
    const opened: string[] = [];
    // Five warnings five minutes apart (each its own notification: the rule's group wait is 0), one resolved.
    for (let i = 0; i < 5; i++) {
      opened.push(await script.open({ tenantId, tunnelId, kind: ["loss", "jitter", "path-mtu", "mac-flood", "broadcast-storm"][i]!, severity: "warning", at: clock.at(i * 300) }));
      for (let t = i * 300; t < (i + 1) * 300; t += 30) await runJobAt(db, clock.at(t), env());
    }
    await script.resolve(opened[0]!, clock.at(1500));
    for (let t = 1500; t < 3600; t += 60) await runJobAt(db, clock.at(t), env());
    const pending = await db.select().from(notificationDeliveries).where(and(eq(notificationDeliveries.channelId, channelId), eq(notificationDeliveries.status, "pending")));
    expect(pending).toHaveLength(6);
    expect(Math.max(...pending.map((p) => p.attempts))).toBeGreaterThan(3);

    await down.up();
    for (let t = 3600; t <= 3600 + 600; t += 30) await runJobAt(db, clock.at(t), env());
    await down.close();
    const bodies = down.received.map((r) => JSON.parse(r.body) as Notification);
    expect(bodies).toHaveLength(6);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(6);
    // In the order they were made: each adds one warning, then one resolves.
    expect(bodies.map((b) => b.firing.length)).toEqual([1, 2, 3, 4, 5, 4]);
    expect(bodies[5]!.resolved.map((w) => w.id)).toEqual([opened[0]]);
    const all = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId));
    expect(all.every((d) => d.status === "delivered")).toBe(true);
  });

  it("expires a notification after the documented limit, with the receiver's last answer as the reason", async () => {
    const db = handle().db;
    const clock = testClock();
    receiver.setAnswer((r) => (r.path === `/gone-${kind}` ? { status: 500, body: "database is down" } : { status: 200, body: "ok" }));
    const channelId = await channelWithRule({ kind: "webhook", name: "Broken hook", url: receiver.url(`/gone-${kind}`) }, "proseware");
    await warningScript(db).open({ tenantId: fixtures.tenantId("proseware"), tunnelId: null, kind: "tromboning", severity: "info", at: clock.at(0) });
    for (let t = 0; t <= 6 * 3600 + 300; t += 300) await runJobAt(db, clock.at(t), env());
    const [delivery] = await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId));
    expect(delivery).toMatchObject({ status: "expired", reason: "Not delivered within 6 h; the receiver's last answer: 500 Internal Server Error: database is down" });
    const tries = at("/gone").length;
    expect(tries).toBe(delivery!.attempts);
    await runJobAt(db, clock.at(8 * 3600), env());
    expect(at("/gone").length).toBe(tries);
  });

  it("forgets finished deliveries after 30 days and processed events after a day, never a pending delivery", async () => {
    const db = handle().db;
    const made = await createChannel(db, ADMIN, null, { kind: "webhook", name: "Old log", url: receiver.url(`/old-${kind}`) }, env());
    if (!made.ok) throw new Error(made.message);
    const now = new Date();
    const long = new Date(now.getTime() - 31 * 86_400_000);
    const recent = new Date(now.getTime() - 29 * 86_400_000);
    const row = (status: "delivered" | "pending" | "expired", at: Date) => ({ channelId: made.channelId, event: "firing" as const, payload: {}, status, nextAttemptAt: at, createdAt: at, finishedAt: status === "pending" ? null : at });
    const rows = await db.insert(notificationDeliveries).values([row("delivered", long), row("expired", long), row("delivered", recent), row("pending", long)]).returning({ id: notificationDeliveries.id, status: notificationDeliveries.status, createdAt: notificationDeliveries.createdAt });
    await runNotificationDispatch(db, { now, consoleUrl: CONSOLE_URL });
    const left = await db.select({ id: notificationDeliveries.id }).from(notificationDeliveries).where(eq(notificationDeliveries.channelId, made.channelId));
    expect(left.map((l) => l.id).sort()).toEqual(rows.filter((r) => r.status === "pending" || r.createdAt > long).map((r) => r.id).sort());
  });

  it("sends a test at once and shows the receiver's answer, without retrying a failure", async () => {
    const db = handle().db;
    receiver.setAnswer((r) => (r.path === `/test-ok-${kind}` ? { status: 200, body: "hello from the receiver" } : { status: 404, body: "no such hook" }));
    const ok = await createChannel(db, ADMIN, null, { kind: "webhook", name: "Testable", url: receiver.url(`/test-ok-${kind}`) }, env());
    const bad = await createChannel(db, ADMIN, null, { kind: "webhook", name: "Wrong path", url: receiver.url(`/test-missing-${kind}`) }, env());
    if (!ok.ok || !bad.ok) throw new Error("channel refused");
    expect(await sendTestNotification(db, ADMIN, ok.channelId, env())).toMatchObject({ ok: true, outcome: { status: "delivered", answer: "200 OK: hello from the receiver" } });
    expect(await sendTestNotification(db, ADMIN, bad.channelId, env())).toMatchObject({
      ok: true,
      outcome: { status: "failed", answer: "404 Not Found: no such hook", reason: "The receiver refused it: 404 Not Found: no such hook" },
    });
    const body = JSON.parse(at("/test-ok")[0]!.body) as Notification;
    expect(body).toMatchObject({ event: "test", firing: [], title: "Test from Bridgehead: channel “Testable” works" });
  });

  it("refuses private, link-local and plain-http targets when saved, and a name that resolves to one at send time", async () => {
    const db = handle().db;
    const strict = { ...env(), allowLoopback: false };
    const refused = async (url: string, resolve?: (h: string) => Promise<string[]>) => {
      const result = await createChannel(db, ADMIN, null, { kind: "webhook", name: "Nope", url }, { ...strict, resolve });
      expect(result).toMatchObject({ ok: false, status: 400 });
      return (result as unknown as { errors: { url: string[] } }).errors.url[0];
    };
    expect(await refused("http://hooks.example.com/x")).toMatch(/Use an https: URL/);
    expect(await refused("https://169.254.169.254/latest/meta-data")).toMatch(/link-local/);
    expect(await refused("https://10.0.0.5/hook")).toMatch(/private-range.*An admin can allow this host/);
    expect(await refused("https://user:pw@hooks.example.com/")).toMatch(/no user name or password/);
    expect(await refused("https://127.0.0.1/hook")).toMatch(/loopback/);
    expect(await refused("https://metadata.example/hook", async () => ["169.254.169.254"])).toMatch(/metadata\.example resolves to 169\.254\.169\.254, a link-local/);

    // Saved while the name resolved to a public address; by send time it points at the metadata service.
    let answer = ["93.184.216.34"];
    const resolve = async () => answer;
    const made = await createChannel(db, ADMIN, null, { kind: "webhook", name: "Rebinding", url: "https://rebind.example/hook" }, { ...strict, resolve });
    if (!made.ok) throw new Error(made.message);
    answer = ["169.254.169.254"];
    const test = await sendTestNotification(db, ADMIN, made.channelId, { ...strict, resolve });
    expect(test).toMatchObject({ ok: true, outcome: { status: "failed", answer: expect.stringMatching(/^Refused: rebind\.example resolves to 169\.254\.169\.254/) } });
  });
});

describe.skipIf(!postgresAvailable())("two console instances on one PostgreSQL", () => {
  it("racing sender against sender, round for round, deliver each of 48 notifications exactly once", async () => {
    const database = await createPostgresDatabase();
    const a = await openDatabase({ kind: "postgres", url: database.url });
    const b = await openDatabase({ kind: "postgres", url: database.url }, { migrate: false });
    const busy = await startHttpsReceiver({ tls: receiver.tls });
    try {
      const fixtures = await seedTenants(a.db);
      const clock = testClock();
      const env = { secretsKey: fixtures.secretsKey, allowLoopback: true, consoleUrl: CONSOLE_URL, ca: receiver.ca };
      const slugs = ["contoso", "fabrikam", "tailspin", "woodgrove", "proseware", "alpine"];
      for (const slug of slugs) {
        const channel = await createChannel(a.db, ADMIN, null, { kind: "webhook", name: `Race ${slug}`, url: busy.url(`/race/${slug}`) }, env);
        if (!channel.ok) throw new Error(channel.message);
        await createRoute(a.db, ADMIN, null, { channelId: channel.channelId, minSeverity: "info", kinds: [], matchTenantSlug: slug, groupWaitSeconds: 0, repeatIntervalMinutes: 600, sendResolved: true });
      }
      // The queue: eight notifications per channel, made by the dispatcher alone (nothing sent yet).
      const script = warningScript(a.db);
      const kinds = ["loss", "jitter", "path-mtu", "mac-flood", "broadcast-storm", "latency-objective", "latency-baseline", "asymmetric-routing"];
      for (const [i, k] of kinds.entries()) {
        for (const slug of slugs) await script.open({ tenantId: fixtures.tenantId(slug), tunnelId: fixtures.tunnelOf(slug).id, kind: k, severity: "warning", at: clock.at(i) });
        await runNotificationDispatch(a.db, { now: clock.at(i), consoleUrl: CONSOLE_URL });
      }
      const queued = await a.db.select({ id: notificationDeliveries.id }).from(notificationDeliveries).where(eq(notificationDeliveries.status, "pending"));
      expect(queued).toHaveLength(48);

      // Two instances, each sending as fast as it can until nothing is left.
      const drain = async (db: typeof a.db, workerId: string) => {
        let sent = 0;
        for (let round = 0; round < 200; round++) {
          const result = await runNotificationSender(db, { now: clock.at(100), workerId, secretsKey: fixtures.secretsKey, allowLoopback: true, ca: receiver.ca });
          sent += result.delivered;
          const [left] = await db.select({ id: notificationDeliveries.id }).from(notificationDeliveries).where(eq(notificationDeliveries.status, "pending")).limit(1);
          if (!left) break;
        }
        return sent;
      };
      const [sentByA, sentByB] = await Promise.all([drain(a.db, "instance-a"), drain(b.db, "instance-b")]);
      expect(sentByA + sentByB).toBe(48);
      // Both really worked (neither sat idle while the other did everything).
      expect(sentByA).toBeGreaterThan(0);
      expect(sentByB).toBeGreaterThan(0);
      const ids = busy.received.map((r) => r.headers["bridgehead-delivery"]);
      expect(ids).toHaveLength(48);
      expect(new Set(ids).size).toBe(48);
      // And each channel's in order: its n-th message announces n warnings.
      for (const slug of slugs) {
        const counts = busy.received.filter((r) => r.path === `/race/${slug}`).map((r) => (JSON.parse(r.body) as Notification).firing.length);
        expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      }
    } finally {
      await busy.close();
      await b.close();
      await a.close();
      await database.drop();
    }
  });
});
