import { and, asc, eq, ne, sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { privateClouds, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { storedPairReport } from "@/lib/domain/pair-role";
import { describeEachDatabase } from "@/tests/support/databases";
import { readNocTileRows, tileEndIds, type NocTileRow } from "./noc-tiles";

const NOW = new Date("2025-06-01T12:00:30Z");
const ROLE_MAX_AGE_MS = 90_000;
/** The oldest report time still believed: exactly NOW - ROLE_MAX_AGE_MS. */
const ROLE_CUTOFF = "2025-06-01 11:59:00+00";

/**
 * Tenants in service with a pair, a tunnel with one end and one with none, and an offboarded one;
 * times with microseconds (which a `Date` cannot hold), before 1970, and pair reports at, just
 * before and just after the age limit.
 */
async function seed(db: Database) {
  const [cloud] = await db
    .insert(privateClouds)
    .values({ azureResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/tiles", subscriptionId: "s", resourceGroup: "rg", name: "tiles", region: "westeurope", networkBlock: "10.120.0.0/22" })
    .returning();
  const base = { privateCloudId: cloud!.id, sourceEnvironment: "other" as const, transport: "ipsec-vpn" as const, gatewayLocation: "source" as const, sourceGatewayUnderlayIp: "203.0.113.1", state: "active" as const };
  const [pair, single, bare, gone] = await db
    .insert(tenants)
    .values([
      { ...base, slug: "pair", displayName: "Pair", subnet: "172.20.1.0/24" },
      { ...base, slug: "single", displayName: "Single", subnet: "172.20.2.0/24" },
      { ...base, slug: "bare", displayName: "Bare", subnet: "172.20.3.0/24" },
      { ...base, slug: "gone", displayName: "Gone", subnet: "172.20.4.0/24", state: "offboarded" },
    ])
    .returning();
  const made = await db
    .insert(tunnels)
    .values([
      { tenantId: pair!.id, ordinal: 2, name: "second", status: "down" },
      { tenantId: pair!.id, ordinal: 1, name: "first", status: "operational" },
      { tenantId: single!.id, ordinal: 1, name: "only", status: "degraded" },
      { tenantId: bare!.id, ordinal: 1, name: "none", status: "stale" },
      { tenantId: gone!.id, ordinal: 1, name: "old", status: "stale" },
    ])
    .returning();
  const id = (name: string) => made.find((t) => t.name === name)!.id;
  const end = (tunnel: string, side: "source" | "avs") => ({ tunnelId: id(tunnel), side, hostname: `${tunnel}-${side}`, underlayIp: "198.51.100.1" });
  await db.insert(tunnelEndpoints).values([end("first", "source"), end("first", "avs"), end("second", "source"), end("second", "avs"), end("only", "source"), end("old", "source")]);
  // Times a Date cannot hold, written as the database keeps them.
  const set = (tunnel: string, assignments: SQL) => db.execute(sql`update tunnels set ${assignments} where id = ${id(tunnel)}`);
  const setEnd = (tunnel: string, side: string, assignments: SQL) =>
    db.execute(sql`update tunnel_endpoints set ${assignments} where tunnel_id = ${id(tunnel)} and side = ${side}`);
  await set("first", sql`status_changed_at = '2025-06-01 11:59:59.123999+00'`);
  await set("second", sql`status_changed_at = '2025-06-01 13:29:59.999999+01:30'`);
  await set("only", sql`status_changed_at = '1969-12-31 23:59:59.9995+00'`);
  await set("none", sql`status_changed_at = '2025-06-01 12:00:00+00'`);
  // "first": both ends active, the AVS end reported exactly at the limit; the newest sample is the AVS end's.
  await setEnd("first", "source", sql`last_sample_at = '2025-06-01 12:00:20.000999+00', pair_role = 'active', pair_since = '2025-06-01 10:00:00+00', pair_reason = 'elected', pair_reported_at = '2025-06-01 12:00:20.5+00'`);
  await setEnd("first", "avs", sql`last_sample_at = '2025-06-01 12:00:20.0015+00', pair_role = 'active', pair_since = '2025-06-01 10:00:00+00', pair_reason = 'elected', pair_reported_at = ${ROLE_CUTOFF}`);
  // "second": the source end reported a microsecond too early; the AVS end has a role without a since; neither has a sample.
  await setEnd("second", "source", sql`pair_role = 'standby', pair_since = '2025-06-01 10:00:00+00', pair_reported_at = ${ROLE_CUTOFF}::timestamptz - interval '1 microsecond'`);
  await setEnd("second", "avs", sql`pair_role = 'fault', pair_reported_at = '2025-06-01 12:00:25+00'`);
  // "only": one end, its newest sample before 1970 (a Date cuts toward the earlier millisecond there too).
  await setEnd("only", "source", sql`last_sample_at = '1969-12-31 23:59:59.9995+00', pair_role = 'fault', pair_since = '2025-06-01 10:00:00+00', pair_reported_at = '2025-06-01 12:00:29.999999+00'`);
  await setEnd("old", "source", sql`last_sample_at = '2025-06-01 12:00:29+00'`);
}

/** The tile rows as the snapshot made them before: drizzle's rows and Dates, put together per tunnel. */
async function tileRowsThroughDrizzle(db: Database): Promise<NocTileRow[]> {
  const live = ne(tenants.state, "offboarded");
  const tileRows = await db
    .select({ tunnelId: tunnels.id, tenantId: tunnels.tenantId, slug: tenants.slug, ordinal: tunnels.ordinal, name: tunnels.name, status: tunnels.status, statusChangedAt: tunnels.statusChangedAt })
    .from(tunnels)
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(live)
    .orderBy(asc(tenants.slug), asc(tunnels.ordinal));
  const endRows = await db
    .select({
      endpointId: tunnelEndpoints.id,
      tunnelId: tunnelEndpoints.tunnelId,
      side: tunnelEndpoints.side,
      lastSampleAt: tunnelEndpoints.lastSampleAt,
      pairRole: tunnelEndpoints.pairRole,
      pairSince: tunnelEndpoints.pairSince,
      pairReason: tunnelEndpoints.pairReason,
      pairReportedAt: tunnelEndpoints.pairReportedAt,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, and(eq(tenants.id, tunnels.tenantId), live));
  return tileRows.map((t) => {
    const source = endRows.find((e) => e.tunnelId === t.tunnelId && e.side === "source");
    const avs = endRows.find((e) => e.tunnelId === t.tunnelId && e.side === "avs");
    const times = [source?.lastSampleAt, avs?.lastSampleAt].filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
    return {
      tunnelId: t.tunnelId,
      slug: t.slug,
      ordinal: t.ordinal,
      name: t.name,
      status: t.status,
      statusChangedAt: t.statusChangedAt.toISOString(),
      paired: tileRows.filter((o) => o.tenantId === t.tenantId).length > 1,
      sourceId: source?.endpointId ?? null,
      avsId: avs?.endpointId ?? null,
      sourceRole: (source && storedPairReport(source, NOW, ROLE_MAX_AGE_MS)?.role) ?? null,
      avsRole: (avs && storedPairReport(avs, NOW, ROLE_MAX_AGE_MS)?.role) ?? null,
      lastSampleMs: times.length > 0 ? Math.max(...times) : null,
    };
  });
}

describeEachDatabase("the wall's tile rows", ({ handle }) => {
  beforeAll(async () => seed(handle().db));

  it("are exactly what drizzle's rows and Dates made of the same tunnels and ends, whatever the session's time zone", async () => {
    const db = handle().db;
    // A zone half an hour off whole hours: to_char must still write UTC.
    const [raw, drizzled] = await db.transaction(async (tx) => {
      await tx.execute(sql`set local time zone 'Asia/Kolkata'`);
      return [await readNocTileRows(tx, { now: NOW, roleMaxAgeMs: ROLE_MAX_AGE_MS }), await tileRowsThroughDrizzle(tx)];
    });
    expect(raw).toEqual(drizzled);
    // And what that is, so the comparison cannot pass on two equally wrong answers.
    expect(raw.map((r) => [`${r.slug}/${r.name}`, r.statusChangedAt, r.paired, r.sourceRole, r.avsRole, r.lastSampleMs === null ? null : new Date(r.lastSampleMs).toISOString()])).toEqual([
      ["bare/none", "2025-06-01T12:00:00.000Z", false, null, null, null],
      ["pair/first", "2025-06-01T11:59:59.123Z", true, "active", "active", "2025-06-01T12:00:20.001Z"],
      ["pair/second", "2025-06-01T11:59:59.999Z", true, null, null, null],
      ["single/only", "1969-12-31T23:59:59.999Z", false, "fault", null, "1969-12-31T23:59:59.999Z"],
    ]);
    expect(raw.find((r) => r.name === "none")).toMatchObject({ sourceId: null, avsId: null });
    expect(raw.find((r) => r.name === "only")!.avsId).toBeNull();
  });

  it("are the same read a row per page, two per page and in one statement", async () => {
    const db = handle().db;
    const whole = await readNocTileRows(db, { now: NOW, roleMaxAgeMs: ROLE_MAX_AGE_MS }, { pageRows: Number.POSITIVE_INFINITY });
    expect(whole).toHaveLength(4);
    expect(await readNocTileRows(db, { now: NOW, roleMaxAgeMs: ROLE_MAX_AGE_MS }, { pageRows: 1 })).toEqual(whole);
    expect(await readNocTileRows(db, { now: NOW, roleMaxAgeMs: ROLE_MAX_AGE_MS }, { pageRows: 2 })).toEqual(whole);
  });
});

describe("a tile's end ids", () => {
  it("come in the order of the ids, as the per-end rows did, and leave out a missing end", () => {
    expect(tileEndIds({ sourceId: "b", avsId: "a" })).toEqual(["a", "b"]);
    expect(tileEndIds({ sourceId: "a", avsId: "b" })).toEqual(["a", "b"]);
    expect(tileEndIds({ sourceId: null, avsId: "b" })).toEqual(["b"]);
    expect(tileEndIds({ sourceId: "a", avsId: null })).toEqual(["a"]);
    expect(tileEndIds({ sourceId: null, avsId: null })).toEqual([]);
  });
});
