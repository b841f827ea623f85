/**
 * Minimal rows for telemetry tests: tenants with one tunnel each and its two endpoints, and
 * samples written straight into the table (the ingest API has its own tests); and a sample as
 * an agent posts it, for the tests of that API's two doors (Next's route, the Node fast path).
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { telemetryRollups, telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { fleetTenant, insertPrivateCloud } from "./fleet-rows";

/**
 * A sample as an agent posts it, measured `minutes` before now, with every field the agent
 * reports (a path with a hop that did not answer among them); `extra` overrides or adds fields.
 */
export function agentSample(minutes: number, extra: Record<string, unknown> = {}) {
  return {
    measuredAt: new Date(Date.now() - minutes * 60_000).toISOString(),
    rttMs: 12.5,
    jitterMs: 0.8,
    lossPct: 0,
    dfProbe: { bytes: 1377, ok: true },
    path: [
      { ttl: 1, address: "198.51.100.1", rttMs: 0.3 },
      { ttl: 2, address: null, rttMs: null },
    ],
    counters: { txBytes: 1_000_000, rxBytes: 900_000, txPackets: 1000, rxPackets: 950 },
    bumPps: 3.5,
    learnedMacs: 14,
    ...extra,
  };
}

export type TestTunnel = { tenantId: string; tunnelId: string; source: string; avs: string };

/** `count` tenants, each with one tunnel and both its endpoints, in a private cloud of their own. */
export async function createTunnels(db: Database, count: number): Promise<TestTunnel[]> {
  const tag = randomBytes(4).toString("hex");
  const cloud = await insertPrivateCloud(db, `pc-${tag}`, { subscription: "test" });
  const result: TestTunnel[] = [];
  // In slices: one statement's parameters are limited.
  for (let offset = 0; offset < count; offset += 500) {
    const size = Math.min(500, count - offset);
    const tenantRows = await db
      .insert(tenants)
      .values(
        Array.from({ length: size }, (_, i) =>
          fleetTenant(cloud.id, offset + i, { slug: `t-${tag}-${offset + i}`, displayName: `Tenant ${offset + i}`, transport: "ipsec-vpn" }),
        ),
      )
      .returning({ id: tenants.id });
    const tunnelRows = await db
      .insert(tunnels)
      .values(tenantRows.map((t) => ({ tenantId: t.id, ordinal: 1, name: "primary" })))
      .returning({ id: tunnels.id, tenantId: tunnels.tenantId });
    const endpointRows = await db
      .insert(tunnelEndpoints)
      .values(
        tunnelRows.flatMap((t) => [
          { tunnelId: t.id, side: "source" as const, hostname: "gw", underlayIp: "198.51.100.10" },
          { tunnelId: t.id, side: "avs" as const, hostname: "bridge", underlayIp: "10.120.8.10" },
        ]),
      )
      .returning({ id: tunnelEndpoints.id, tunnelId: tunnelEndpoints.tunnelId, side: tunnelEndpoints.side });
    for (const t of tunnelRows) {
      const ends = endpointRows.filter((e) => e.tunnelId === t.id);
      result.push({ tenantId: t.tenantId, tunnelId: t.id, source: ends.find((e) => e.side === "source")!.id, avs: ends.find((e) => e.side === "avs")!.id });
    }
  }
  return result;
}

export type SampleRow = typeof telemetrySamples.$inferInsert;

export async function insertSamples(db: Database, rows: SampleRow[]): Promise<void> {
  for (let offset = 0; offset < rows.length; offset += 2_000) {
    await db.insert(telemetrySamples).values(rows.slice(offset, offset + 2_000));
  }
}

export async function insertRollups(db: Database, rows: (typeof telemetryRollups.$inferInsert)[]): Promise<void> {
  for (let offset = 0; offset < rows.length; offset += 2_000) {
    await db.insert(telemetryRollups).values(rows.slice(offset, offset + 2_000));
  }
}

/** Empties the telemetry tables and the roll-up watermarks; tenants and tunnels stay. */
export async function resetTelemetry(db: Database): Promise<void> {
  await db.execute(sql`delete from telemetry_samples`);
  await db.execute(sql`delete from telemetry_rollups`);
  await db.execute(sql`delete from telemetry_watermarks`);
}
