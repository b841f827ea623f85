/**
 * The views benchmark's fleet: 500 tenants with two tunnels each, an hour of telemetry rolled
 * up, and the warning evaluation's cost over it, seeded into a PGlite data folder before the
 * console starts on it.
 */
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { runWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { rollUpHours, rollUpMinutes } from "@/lib/telemetry/rollup";
import { queryRows } from "@/lib/telemetry/sql";
import { fleetTenant, insertPrivateCloud } from "@/tests/support/fleet-rows";

export const TENANTS = 500;
export const TUNNELS_PER_TENANT = 2;
const SAMPLE_SECONDS = 30;
/** How far ahead of the seed's clock the live samples reach, so the wall stays fresh while measured. */
export const LIVE_AHEAD_MS = 15 * 60_000;

export type WallSeed = { rawRows: number; evaluationMs: number; evaluationTrimmedMs: number };

/**
 * 500 tenants × 2 tunnels, both ends, an hour of 30-second samples rolled up into minutes, and
 * samples on to LIVE_AHEAD_MS ahead; on the way, one warning evaluation timed over the hour.
 */
export async function seedWall(dataDir: string, options: { tenants?: number; hour?: boolean } = {}): Promise<WallSeed> {
  const tenantCount = options.tenants ?? TENANTS;
  // Without the hour (bench/views-wall.ts at 10,000 tunnels): the last two minutes and the live
  // samples only, so the wall's sparklines are mostly gaps, but the snapshot has every tunnel.
  const withHour = options.hour ?? true;
  const handle = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
  try {
    const { db } = handle;
    const cloud = await insertPrivateCloud(db, "bench-wall", { networkBlock: "10.124.0.0/22" });
    for (let first = 0; first < tenantCount; first += 250) {
      const n = Math.min(250, tenantCount - first);
      const tenantRows = await db
        .insert(tenants)
        .values(
          Array.from({ length: n }, (_, i) => fleetTenant(cloud.id, first + i, { slug: `wall-${String(first + i).padStart(tenantCount > 1000 ? 4 : 3, "0")}`, displayName: `Wall ${first + i}`, network: [172, 16] })),
        )
        .returning({ id: tenants.id });
      const tunnelRows = await db
        .insert(tunnels)
        .values(tenantRows.flatMap((t) => [1, 2].map((ordinal) => ({ tenantId: t.id, ordinal, name: ordinal === 1 ? "primary" : "secondary", status: "operational" as const }))))
        .returning({ id: tunnels.id });
      await db.insert(tunnelEndpoints).values(
        tunnelRows.flatMap((t, i) => [
          { tunnelId: t.id, side: "source" as const, hostname: `wall-gw${i}`, underlayIp: "198.51.100.10" },
          { tunnelId: t.id, side: "avs" as const, hostname: `wall-br${i}`, underlayIp: "10.124.8.10" },
        ]),
      );
    }
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const hourAgo = new Date(now.getTime() - 3_600_000);
    // Each tunnel its own latency (5–45 ms) with a little noise; one in fifty loses packets.
    const samples = (from: Date, to: Date, everySeconds: number, receivedAt: string) => sql`
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_ok)
      select e.id, t, ${sql.raw(receivedAt)}, 5 + abs(hashtext(e.tunnel_id::text)) % 40 + random() * 3, random(),
             case when abs(hashtext(e.tunnel_id::text)) % 50 = 0 then 3 else 0 end, true
      from tunnel_endpoints e, generate_series(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, ${`${everySeconds} seconds`}::interval) t`;
    await db.execute(samples(withHour ? hourAgo : new Date(now.getTime() - 2 * 60_000), new Date(now.getTime() - 1), SAMPLE_SECONDS, "t + interval '1 second'"));
    for (;;) {
      const minutes = await rollUpMinutes(db, { now });
      const hours = await rollUpHours(db, { now });
      if (minutes.caughtUp && hours.caughtUp) break;
    }
    const [{ n: rawRows }] = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from telemetry_samples`)) as [{ n: number }];
    // What the console's warning evaluation costs here, with that hour of raw samples: its first
    // round, when every tenant is new (later rounds evaluate only tenants with news).
    let started = performance.now();
    if (withHour) await runWarningEvaluation(db, { now });
    const evaluationMs = withHour ? performance.now() - started : Number.NaN;
    // Left so, it holds the console for seconds at a time and every figure below measures that.
    // The wall's fixture keeps the hour in roll-ups (all the wall reads) and only a few raw
    // samples: the last two minutes, then one every 3 minutes to LIVE_AHEAD_MS.
    await db.execute(sql`delete from telemetry_samples where measured_at < ${new Date(now.getTime() - 2 * 60_000).toISOString()}::timestamptz`);
    const ahead = new Date(now.getTime() + LIVE_AHEAD_MS);
    await db.execute(samples(now, ahead, 180, `'${now.toISOString()}'::timestamptz`));
    await db.execute(sql`update tunnel_endpoints set last_sample_at = ${ahead.toISOString()}::timestamptz`);
    started = performance.now();
    await runWarningEvaluation(db, { now });
    const evaluationTrimmedMs = performance.now() - started;
    return { rawRows, evaluationMs, evaluationTrimmedMs };
  } finally {
    await handle.close();
  }
}
