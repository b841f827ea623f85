import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import { privateClouds, telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { sampleSchema, type TelemetrySample } from "@/lib/validation/telemetry";
import { describeEachDatabase } from "@/tests/support/databases";
import { batchWeight, groupParameters, ingestSamples, toMillisecondTime } from "./ingest";

const NOW = new Date("2026-11-21T12:00:00Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

async function makeAgent(db: Database): Promise<AgentPrincipal> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const [cloud] = await db
    .insert(privateClouds)
    .values({ azureResourceId: `/subscriptions/s/privateClouds/${suffix}`, subscriptionId: "s", resourceGroup: "rg", name: suffix, region: "westeurope", networkBlock: "10.120.0.0/22" })
    .returning();
  const [tenant] = await db
    .insert(tenants)
    .values({ slug: `t-${suffix}`, displayName: "T", privateCloudId: cloud!.id, sourceEnvironment: "other", transport: "sd-wan", subnet: "10.1.0.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.1" })
    .returning();
  const [tunnel] = await db.insert(tunnels).values({ tenantId: tenant!.id, ordinal: 1, name: "primary" }).returning();
  const [endpoint] = await db.insert(tunnelEndpoints).values({ tunnelId: tunnel!.id, side: "source", hostname: "gw", underlayIp: "198.51.100.1" }).returning();
  return { endpointId: endpoint!.id, tunnelId: tunnel!.id, tenantId: tenant!.id, side: "source", tokenUsed: "current", tokenHash: "0".repeat(64) };
}

describeEachDatabase("ingestSamples", ({ handle }) => {
  let db: Database;
  beforeAll(() => {
    db = handle().db;
  });

  const stored = (agent: AgentPrincipal) =>
    db.select().from(telemetrySamples).where(eq(telemetrySamples.endpointId, agent.endpointId)).orderBy(telemetrySamples.measuredAt);
  const lastSampleAt = async (agent: AgentPrincipal) =>
    (await db.select({ at: tunnelEndpoints.lastSampleAt }).from(tunnelEndpoints).where(eq(tunnelEndpoints.id, agent.endpointId)))[0]!.at;

  it("stores every field as sent, the largest counters and absent fields included", async () => {
    const agent = await makeAgent(db);
    const full: TelemetrySample = {
      measuredAt: at(2),
      rttMs: 12.345678,
      jitterMs: 0.1,
      lossPct: 0,
      dfProbe: { bytes: 1377, ok: false },
      path: [{ ttl: 1, address: "2001:db8::1", rttMs: 0.25 }, { ttl: 2, address: null, rttMs: null }],
      counters: { txBytes: Number.MAX_SAFE_INTEGER, rxBytes: 0, txPackets: 123_456_789_012, rxPackets: 1 },
      bumPps: 1.5e-7,
      learnedMacs: 10_000_000,
      pair: { role: "standby", since: "2026-11-21T11:50:00+01:00", reason: "peer-active" },
    };
    const bare: TelemetrySample = { measuredAt: at(1) };
    expect(await ingestSamples(db, agent, [full, bare], NOW)).toEqual({ ok: true, accepted: 2, duplicates: 0 });
    const [first, second] = await stored(agent);
    expect(first).toEqual({
      endpointId: agent.endpointId,
      measuredAt: new Date(full.measuredAt),
      receivedAt: NOW,
      rttMs: 12.345678,
      jitterMs: 0.1,
      lossPct: 0,
      dfProbeBytes: 1377,
      dfProbeOk: false,
      path: full.path,
      txBytes: Number.MAX_SAFE_INTEGER,
      rxBytes: 0,
      txPackets: 123_456_789_012,
      rxPackets: 1,
      bumPps: 1.5e-7,
      learnedMacs: 10_000_000,
      pairRole: "standby",
      pairSince: new Date("2026-11-21T10:50:00Z"),
      pairReason: "peer-active",
    });
    expect(second).toMatchObject({ rttMs: null, dfProbeBytes: null, dfProbeOk: null, path: null, txBytes: null, bumPps: null, learnedMacs: null, pairRole: null });
  });

  it("keeps the end's newest pair role, and a late backlog does not undo it", async () => {
    const agent = await makeAgent(db);
    const role = async () =>
      (await db.select({ role: tunnelEndpoints.pairRole, since: tunnelEndpoints.pairSince, reason: tunnelEndpoints.pairReason, at: tunnelEndpoints.pairReportedAt }).from(tunnelEndpoints).where(eq(tunnelEndpoints.id, agent.endpointId)))[0];
    expect(await role()).toEqual({ role: null, since: null, reason: null, at: null });
    // A batch: the newest sample with a pair report wins, whatever the order in the batch.
    await ingestSamples(db, agent, [
      { measuredAt: at(3), pair: { role: "active", since: at(20), reason: "elected" } },
      { measuredAt: at(2), pair: { role: "fault", since: at(2.5), reason: "tunnel-silent" } },
      { measuredAt: at(1) },
    ], NOW);
    expect(await role()).toEqual({ role: "fault", since: new Date(at(2.5)), reason: "tunnel-silent", at: new Date(at(2)) });
    // A spooled sample from before, delivered now, is stored but does not move the role back.
    await ingestSamples(db, agent, [{ measuredAt: at(10), pair: { role: "active", since: at(20), reason: "elected" } }], NOW);
    expect((await role())?.role).toBe("fault");
    await ingestSamples(db, agent, [{ measuredAt: at(0.5), pair: { role: "standby", since: at(0.7), reason: "peer-active" } }], NOW);
    expect(await role()).toMatchObject({ role: "standby", reason: "peer-active" });
  });

  it("counts a re-send as a duplicate, even written with another zone or sub-millisecond digits", async () => {
    const agent = await makeAgent(db);
    await ingestSamples(db, agent, [{ measuredAt: "2026-11-21T11:00:00.123Z", rttMs: 1 }], NOW);
    const again = await ingestSamples(db, agent, [{ measuredAt: "2026-11-21T12:00:00.1234+01:00", rttMs: 2 }, { measuredAt: at(30), rttMs: 3 }], NOW);
    expect(again).toEqual({ ok: true, accepted: 1, duplicates: 1 });
    expect((await stored(agent)).map((s) => s.rttMs)).toEqual([1, 3]);
  });

  it("moves the endpoint's last-sample time forward only, even for a late batch of old samples", async () => {
    const agent = await makeAgent(db);
    await ingestSamples(db, agent, [{ measuredAt: at(5) }, { measuredAt: at(3) }, { measuredAt: at(4) }], NOW);
    expect(await lastSampleAt(agent)).toEqual(new Date(at(3)));
    await ingestSamples(db, agent, [{ measuredAt: at(60) }], NOW);
    expect(await lastSampleAt(agent)).toEqual(new Date(at(3)));
  });

  it("tells the warning evaluation about news: samples_seq moves with every batch that stored something, late ones included, and never for re-sends", async () => {
    const agent = await makeAgent(db);
    const seq = async () => (await db.select({ seq: tunnelEndpoints.samplesSeq }).from(tunnelEndpoints).where(eq(tunnelEndpoints.id, agent.endpointId)))[0]!.seq;
    expect(await seq()).toBe(0);
    await ingestSamples(db, agent, [{ measuredAt: at(10) }, { measuredAt: at(11) }], NOW);
    expect(await seq()).toBe(1);
    await ingestSamples(db, agent, [{ measuredAt: at(10) }, { measuredAt: at(11) }], NOW);
    expect(await seq()).toBe(1);
    // A late sample does not move last_sample_at, but it is news for the window all the same.
    await ingestSamples(db, agent, [{ measuredAt: at(2) }], NOW);
    expect(await seq()).toBe(2);
  });

  it("writes batches that arrive together in one group, each caller getting its own counts, with a sample sent twice stored once", async () => {
    const [a, b] = [await makeAgent(db), await makeAgent(db)];
    // The first call is written at once; the three made while it is under way go together.
    const results = await Promise.all([
      ingestSamples(db, a, [{ measuredAt: at(9), rttMs: 9 }], NOW),
      ingestSamples(db, a, [{ measuredAt: at(5), rttMs: 5, pair: { role: "active", since: at(20), reason: "elected" } }, { measuredAt: at(9), rttMs: 90 }], NOW),
      ingestSamples(db, b, [{ measuredAt: at(4), rttMs: 4 }], NOW),
      ingestSamples(db, a, [{ measuredAt: at(5), rttMs: 50 }, { measuredAt: at(3), rttMs: 3 }], NOW),
    ]);
    expect(results).toEqual([
      { ok: true, accepted: 1, duplicates: 0 },
      { ok: true, accepted: 1, duplicates: 1 },
      { ok: true, accepted: 1, duplicates: 0 },
      { ok: true, accepted: 1, duplicates: 1 },
    ]);
    // The first copy of a sample in arrival order is the one kept.
    expect((await stored(a)).map((s) => s.rttMs)).toEqual([9, 5, 3]);
    expect((await stored(b)).map((s) => s.rttMs)).toEqual([4]);
    expect(await lastSampleAt(a)).toEqual(new Date(at(3)));
    expect(await lastSampleAt(b)).toEqual(new Date(at(4)));
    const [end] = await db.select({ role: tunnelEndpoints.pairRole, seq: tunnelEndpoints.samplesSeq }).from(tunnelEndpoints).where(eq(tunnelEndpoints.id, a.endpointId));
    // Two writes stored something for a: its own, then the group's.
    expect(end).toEqual({ role: "active", seq: 2 });
  });

  it("fails only the batch that cannot be stored when it was grouped with others", async () => {
    const [a, b] = [await makeAgent(db), await makeAgent(db)];
    const gone: AgentPrincipal = { ...b, endpointId: crypto.randomUUID() };
    const [first, lost, kept] = await Promise.allSettled([
      ingestSamples(db, a, [{ measuredAt: at(3) }], NOW),
      ingestSamples(db, gone, [{ measuredAt: at(2) }], NOW),
      ingestSamples(db, b, [{ measuredAt: at(1), rttMs: 1 }], NOW),
    ]);
    expect(first).toEqual({ status: "fulfilled", value: { ok: true, accepted: 1, duplicates: 0 } });
    expect(lost.status).toBe("rejected");
    expect(kept).toEqual({ status: "fulfilled", value: { ok: true, accepted: 1, duplicates: 0 } });
    expect((await stored(b)).map((s) => s.rttMs)).toEqual([1]);
  });

  it("refuses samples outside the time window by field and stores nothing", async () => {
    const agent = await makeAgent(db);
    const result = await ingestSamples(db, agent, [{ measuredAt: at(1) }, { measuredAt: at(-10) }, { measuredAt: at(8 * 24 * 60) }], NOW);
    expect(result).toEqual({
      ok: false,
      fields: {
        "samples.1.measuredAt": ["More than 5 minutes in the future: check the agent's clock (NTP)."],
        "samples.2.measuredAt": ["Older than the 7-day raw retention: it would be deleted at once."],
      },
    });
    expect(await stored(agent)).toEqual([]);
    expect(await lastSampleAt(agent)).toBeNull();
  });

  it("refuses a pair report's time the database cannot store, or one after its sample, by field, instead of failing the write", async () => {
    const agent = await makeAgent(db);
    const pair = (since: string) => ({ measuredAt: at(1), pair: { role: "active" as const, since, reason: "elected" } });
    // The schema takes all three (a calendar date with a zone); PostgreSQL and PGlite store none of the first two.
    const refused = ["0000-02-29T00:00:00.000Z", "9999-12-31T23:30:00-01:00", at(-10)];
    for (const since of refused) expect(sampleSchema.safeParse(pair(since)).success, since).toBe(true);
    const result = await ingestSamples(db, agent, [...refused.map(pair), pair(at(3)), pair(at(-4))], NOW);
    const message = ["When this end took its role: not after the sample's measuredAt (5 minutes' leeway) and not before 1970."];
    expect(result).toEqual({ ok: false, fields: { "samples.0.pair.since": message, "samples.1.pair.since": message, "samples.2.pair.since": message } });
    expect(await stored(agent)).toEqual([]);
    // A role taken long ago, or a moment after the measurement, is stored as sent.
    expect(await ingestSamples(db, agent, [pair("1999-01-01T00:00:00.000Z")], NOW)).toEqual({ ok: true, accepted: 1, duplicates: 0 });
  });
});

it("weighs a batch waiting for its group by what it holds, so the waiting cap bounds memory: MAC lists count, not only samples", () => {
  const plain: TelemetrySample = { measuredAt: "2026-12-05T01:00:00.000Z", rttMs: 1.5, lossPct: 0 };
  const mac = (i: number) => `02:00:00:00:${String(Math.floor(i / 256).toString(16)).padStart(2, "0")}:${(i % 256).toString(16).padStart(2, "0")}`;
  const heavy: TelemetrySample = { ...plain, macs: { local: Array.from({ length: 1_024 }, (_, i) => mac(i)), tunnel: Array.from({ length: 1_024 }, (_, i) => mac(i + 1_024)), truncated: false } };
  // Ordinary samples weigh one each, as the group's and the queue's limits were set for.
  expect(batchWeight(Array.from({ length: 200 }, () => plain))).toBe(200);
  // One sample with 2,048 MACs is about 40 KB of JSON: it weighs as forty ordinary ones.
  expect(batchWeight([heavy])).toBeGreaterThanOrEqual(35);
  // The route passes the body's length instead of writing the batch out again: the same weight.
  const body = JSON.stringify({ samples: [heavy] });
  expect(batchWeight([heavy], body.length)).toBe(Math.ceil(body.length / 1_024));
  expect(Math.abs(batchWeight([heavy], body.length) - batchWeight([heavy]))).toBeLessThanOrEqual(1);
  expect(batchWeight(Array.from({ length: 200 }, () => plain), JSON.stringify({ samples: Array.from({ length: 200 }, () => plain) }).length)).toBe(200);
});

it("stores every time the schema takes at the millisecond, in UTC, whether or not it came in that form already", () => {
  const valid = (iso: string) => sampleSchema.shape.measuredAt.safeParse(iso).success;
  const cases = [
    "2026-12-05T13:32:18.123Z", // what the real agent sends: kept as it is
    "2024-02-29T23:59:59.999Z", // a leap day
    "2026-12-05T13:32:18.123456Z", // microseconds: cut to the millisecond
    "2026-12-05T13:32:18Z",
    "2026-12-05T14:32:18.123+01:00", // another zone: the same instant in UTC
    "2026-12-05T13:32:18.1Z",
  ];
  for (const iso of cases) {
    expect(valid(iso), iso).toBe(true);
    expect(toMillisecondTime(iso), iso).toBe(new Date(Date.parse(iso)).toISOString());
  }
  expect(toMillisecondTime("2026-12-05T14:32:18.123+01:00")).toBe("2026-12-05T13:32:18.123Z");
  // Shapes that would pass the quick check but not the schema never reach the writer.
  for (const iso of ["2026-02-30T00:00:00.000Z", "2026-12-05T24:00:00.000Z", "2026-12-05T13:60:00.000Z"]) expect(valid(iso), iso).toBe(false);
});

it("writes the group statement's rows and endpoint updates as before: a sample's fields, the newest role and MAC lists per endpoint", () => {
  const agent = (id: string): AgentPrincipal => ({ endpointId: id, tunnelId: "t", tenantId: "n", side: "source", tokenUsed: "current", tokenHash: `h-${id}` });
  const now = new Date("2026-12-05T13:00:00.000Z");
  const { samplesJson, endsJson } = groupParameters([
    { agent: agent("a"), now, samples: [{ measuredAt: "2026-12-05T12:59:00.000Z", rttMs: 1, pair: { role: "active", since: "2026-12-05T12:00:00+00:00", reason: "elected" } }] },
    { agent: agent("b"), now, samples: [{ measuredAt: "2026-12-05T12:59:10.000456Z", counters: { txBytes: 1, rxBytes: 2, txPackets: 3, rxPackets: 4 } }] },
    { agent: { ...agent("a"), tokenHash: "h-a2" }, now, samples: [{ measuredAt: "2026-12-05T12:58:00.000Z", pair: { role: "standby", since: "2026-12-05T11:00:00.000Z", reason: "peer-active" } }] },
  ]);
  expect(JSON.parse(samplesJson)).toEqual([
    { b: 0, e: "a", m: "2026-12-05T12:59:00.000Z", r: "2026-12-05T13:00:00.000Z", rtt: 1, pr: "active", ps: "2026-12-05T12:00:00.000Z", pre: "elected" },
    { b: 1, e: "b", m: "2026-12-05T12:59:10.000Z", r: "2026-12-05T13:00:00.000Z", txb: 1, rxb: 2, txp: 3, rxp: 4 },
    { b: 2, e: "a", m: "2026-12-05T12:58:00.000Z", r: "2026-12-05T13:00:00.000Z", pr: "standby", ps: "2026-12-05T11:00:00.000Z", pre: "peer-active" },
  ]);
  // The older role report of "a" (the third batch) does not replace the newer one; its token, the group's latest, does.
  expect(JSON.parse(endsJson)).toEqual([
    { id: "a", newest: "2026-12-05T12:59:00.000Z", token_hash: "h-a2", pair_at: "2026-12-05T12:59:00.000Z", pair_role: "active", pair_since: "2026-12-05T12:00:00.000Z", pair_reason: "elected", macs_at: null, macs: null },
    { id: "b", newest: "2026-12-05T12:59:10.000Z", token_hash: "h-b", pair_at: null, pair_role: null, pair_since: null, pair_reason: null, macs_at: null, macs: null },
  ]);
});
