/**
 * Delivery across real console processes on one PostgreSQL: a console killed (SIGKILL, no
 * goodbye) while the receiver is down, a new one started, the receiver back, and every
 * notification counted at the receiver exactly once; then two consoles at once, still once. The
 * consoles trust the test receiver's certificate the way an operator would make them trust a
 * private CA: NODE_EXTRA_CA_CERTS.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChannel } from "@/lib/commands/notification-channels";
import { createRoute } from "@/lib/commands/notification-rules";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { notificationDeliveries, notificationEvents, privateClouds, tenants } from "@/lib/db/schema";
import { forgetSecretsKey, getSecretsKey } from "@/lib/secrets";
import { startConsole, type ConsoleServer } from "./support/console-server";
import { createPostgresDatabase, postgresAvailable } from "./support/databases";
import { ADMIN, warningScript } from "./support/notification-fixtures";
import { makeTestCertificate, startHttpsReceiver } from "./support/receivers";

const SECRETS_KEY = "notification-process-test-key-".repeat(2);

/** Polls the database (not the clock) until `check` holds, or fails saying what it last saw. */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
}

describe.skipIf(!postgresAvailable())("notifications across console processes on one PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let handle: DatabaseHandle;
  let tls: { cert: string; key: string };
  let caFile: string;
  const consoles: ConsoleServer[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    tls = await makeTestCertificate();
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-ca-")), "receiver-ca.pem");
    fs.writeFileSync(caFile, tls.cert);
    env = { DATABASE_URL: database.url, SESSION_SECRET: "notification-process-session-".repeat(2), SECRETS_KEY, BUILTIN_SIGN_IN: "on", NODE_EXTRA_CA_CERTS: caFile };
    // The first console migrates and seeds; the test then works on the same database.
    consoles.push(await startConsole(env));
    handle = await openDatabase({ kind: "postgres", url: database.url }, { migrate: false });
    forgetSecretsKey();
  });
  afterAll(async () => {
    for (const c of consoles) if (c.process.exitCode === null && c.process.signalCode === null) await c.stop("SIGKILL");
    await handle?.close();
    await database?.drop();
    forgetSecretsKey();
  });

  /**
   * A tenant the consoles' own evaluation leaves alone (it judges only onboarding and active
   * tenants), so the only warnings it has are the test's script.
   */
  async function quietTenant(slug: string) {
    const [cloud] = await handle.db.select({ id: privateClouds.id }).from(privateClouds).limit(1);
    const [row] = await handle.db
      .insert(tenants)
      .values({ slug, displayName: slug, privateCloudId: cloud!.id, sourceEnvironment: "other", transport: "sd-wan", subnet: "172.30.0.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.200", state: "offboarding" })
      .returning({ id: tenants.id });
    return row!.id;
  }

  async function channelTo(url: string, slug: string, name: string) {
    const channelEnv = { secretsKey: getSecretsKey({ secretsKey: SECRETS_KEY, dataDir: os.tmpdir() }), allowLoopback: true };
    const made = await createChannel(handle.db, ADMIN, null, { kind: "webhook", name, url }, channelEnv);
    if (!made.ok) throw new Error(`${made.message} ${JSON.stringify(made.errors)}`);
    const rule = await createRoute(handle.db, ADMIN, null, { channelId: made.channelId, minSeverity: "info", kinds: [], matchTenantSlug: slug, groupWaitSeconds: 0, repeatIntervalMinutes: 600, sendResolved: true });
    if (!rule.ok) throw new Error(rule.message);
    return made.channelId;
  }

  const deliveriesOf = (channelIds: string[]) =>
    handle.db
      .select({ id: notificationDeliveries.id, status: notificationDeliveries.status, attempts: notificationDeliveries.attempts })
      .from(notificationDeliveries)
      .where(inArray(notificationDeliveries.channelId, channelIds));
  /** The tenant's events the consoles' dispatcher has not taken yet (the demo fleet makes others all the time). */
  const pendingEvents = (tenantId: string) => () =>
    handle.db.select({ id: notificationEvents.id }).from(notificationEvents).where(and(eq(notificationEvents.tenantId, tenantId), isNull(notificationEvents.processedAt)));

  it("a console killed while the receiver is down, another started, the receiver back: each notification arrives once", async () => {
    const receiver = await startHttpsReceiver({ tls });
    const port = receiver.port;
    await receiver.down();
    const tenantId = await quietTenant("restart-test");
    const channelId = await channelTo(`https://127.0.0.1:${port}/hook`, "restart-test", "Restart hook");
    const script = warningScript(handle.db);
    // Three warnings, each dispatched on its own (the next opened once the console took the last).
    for (const kind of ["loss", "jitter", "path-mtu"]) {
      await script.open({ tenantId, tunnelId: null, kind, severity: "warning", at: new Date() });
      await until("events dispatched", pendingEvents(tenantId), (rows) => rows.length === 0);
    }
    // The channel's oldest notification has met the dead receiver; the others wait behind it, in order.
    const tried = await until("the first delivery attempted against the dead receiver", () => deliveriesOf([channelId]), (rows) => rows.length === 3 && rows.every((r) => r.status === "pending") && rows.some((r) => r.attempts >= 1));
    expect(tried.filter((r) => r.attempts > 0)).toHaveLength(1);

    consoles[0]!.process.kill("SIGKILL");
    await new Promise((resolve) => consoles[0]!.process.once("exit", resolve));
    await receiver.up();
    consoles.push(await startConsole(env));

    const done = await until("all delivered after the restart", () => deliveriesOf([channelId]), (rows) => rows.every((r) => r.status === "delivered"));
    expect(done).toHaveLength(3);
    const ids = receiver.received.map((r) => r.headers["bridgehead-delivery"]);
    expect(ids.sort()).toEqual(done.map((d) => d.id).sort());
    expect(new Set(ids).size).toBe(3);
    await receiver.close();
  }, 240_000);

  it("two consoles on one PostgreSQL deliver each notification once", async () => {
    consoles.push(await startConsole(env));
    const receiver = await startHttpsReceiver({ tls });
    const tenantId = await quietTenant("pair-test");
    const channels: string[] = [];
    for (let i = 0; i < 6; i++) channels.push(await channelTo(receiver.url(`/pair/${i}`), "pair-test", `Pair hook ${i}`));
    const script = warningScript(handle.db);
    for (const kind of ["loss", "jitter", "path-mtu", "mac-flood", "broadcast-storm"]) {
      await script.open({ tenantId, tunnelId: null, kind, severity: "warning", at: new Date() });
      await until("events dispatched", pendingEvents(tenantId), (rows) => rows.length === 0);
    }
    const done = await until("all delivered", () => deliveriesOf(channels), (rows) => rows.length >= 6 && rows.every((r) => r.status === "delivered"));
    const ids = receiver.received.map((r) => r.headers["bridgehead-delivery"] as string);
    expect(ids.length).toBe(done.length);
    expect(new Set(ids).size).toBe(done.length);
    expect(ids.sort()).toEqual(done.map((d) => d.id).sort());
    // Both consoles were up and running the job the whole time.
    for (const c of consoles.slice(-2)) expect(c.process.exitCode).toBeNull();
    await receiver.close();
  }, 240_000);
});
