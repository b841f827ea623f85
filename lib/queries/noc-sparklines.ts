/**
 * The NOC wall's sparklines, read without re-reading the hour every refresh.
 *
 * `sparklines()` (lib/telemetry/series.ts) says what a wall's line is: per minute, both ends'
 * RTT averaged by samples, from the 1-minute roll-ups for the minutes the roll-up has read and
 * from raw samples after. Read whole, that is every endpoint's last 60 roll-up rows (120,000 at
 * 1,000 tunnels) every time a wall asks, most of a snapshot's cost. Yet a closed minute's roll-up
 * row only changes when the roll-up's watermark moves: so the closed minutes are kept here per
 * process, brought up to date from what the watermark's move touched (the new minutes, and the
 * older ones late samples landed in), and only the open minutes are read from raw samples on
 * each request. The result is the same line `sparklines()` draws (noc-sparklines.test.ts).
 *
 * Memory: two numbers per endpoint and minute for SLOTS minutes (2 MB at 1,000 tunnels).
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { forEachInSlices, type SliceOptions } from "@/lib/server/time-slices";
import { ROLLUP_LIMITS, WATERMARK } from "@/lib/telemetry/rollup";
import { sparklineFrame, type SparklineFrame } from "@/lib/telemetry/series";
import { BUCKET_ORIGIN, epochMs, floorToMinute, queryRows, timeParam } from "@/lib/telemetry/sql";

const MINUTE_MS = 60_000;
/** Minutes kept per endpoint: a 60-minute frame and room for the roll-up to fall behind. */
const SLOTS = 128;

type MinuteRow = { endpoint_id: string; minute: number; n: number; total: number | null };

/** Closed minutes of every endpoint, in a ring of SLOTS minutes. */
class ClosedMinutes {
  private readonly rowOf = new Map<string, number>();
  private counts = new Float64Array(0);
  private totals = new Float64Array(0);
  /** The minute (epoch ms) each slot holds now; NaN when none. */
  private readonly slotMinute = new Float64Array(SLOTS).fill(Number.NaN);
  /** Minutes in [from, to) are held and current as of `watermark`. */
  from = Number.POSITIVE_INFINITY;
  to = Number.NEGATIVE_INFINITY;
  watermark: number | null = null;

  private row(endpointId: string): number {
    let row = this.rowOf.get(endpointId);
    if (row === undefined) {
      row = this.rowOf.size;
      this.rowOf.set(endpointId, row);
      if ((row + 1) * SLOTS > this.counts.length) {
        const grown = Math.max(SLOTS * 64, this.counts.length * 2);
        const counts = new Float64Array(grown);
        const totals = new Float64Array(grown);
        counts.set(this.counts);
        totals.set(this.totals);
        this.counts = counts;
        this.totals = totals;
      }
    }
    return row;
  }

  private static slot(minute: number): number {
    return ((minute / MINUTE_MS) % SLOTS + SLOTS) % SLOTS;
  }

  /** Makes [from, to) held and empty (their rows are about to be written). */
  open(from: number, to: number) {
    for (let minute = from; minute < to; minute += MINUTE_MS) {
      const slot = ClosedMinutes.slot(minute);
      for (let i = slot; i < this.counts.length; i += SLOTS) {
        this.counts[i] = 0;
        this.totals[i] = 0;
      }
      this.slotMinute[slot] = minute;
    }
  }

  set(row: MinuteRow) {
    const i = this.row(row.endpoint_id) * SLOTS + ClosedMinutes.slot(row.minute);
    if (this.slotMinute[ClosedMinutes.slot(row.minute)] !== row.minute) return;
    this.counts[i] = row.n;
    this.totals[i] = row.total ?? 0;
  }

  /** An endpoint's row, for addTo; undefined when nothing of it is held. */
  rowIndex(endpointId: string): number | undefined {
    return this.rowOf.get(endpointId);
  }

  /** Adds what the endpoint of `row` measured in `minute` to `into`, if held. */
  addTo(into: { n: number; total: number }, row: number | undefined, minute: number) {
    const slot = ClosedMinutes.slot(minute);
    if (row === undefined || this.slotMinute[slot] !== minute || minute < this.from || minute >= this.to) return;
    into.n += this.counts[row * SLOTS + slot]!;
    into.total += this.totals[row * SLOTS + slot]!;
  }
}

const stores = new WeakMap<Database, ClosedMinutes>();

export type WallSparklines = SparklineFrame & {
  /** A tunnel's line from its ends' measurements: one value per bucket, null where nothing was measured; a new array each call, the caller's to change. */
  valuesOf(endpointIds: readonly string[]): (number | null)[];
};

/**
 * The lines on the frame `sparklines()` would lay for these arguments. The rows read are taken
 * in in slices (lib/server/time-slices.ts): the first read of a fleet of 10,000 tunnels is more
 * than a million minute rows.
 */
export async function readWallSparklines(db: Database, options: { since: Date; now: Date; points: number }, slices: SliceOptions = {}): Promise<WallSparklines> {
  const frame = sparklineFrame(options);
  const now = options.now.getTime();
  const start = frame.start.getTime();
  const [mark] = await queryRows<{ ms: number | null }>(
    db,
    sql`select case when received_through = '-infinity' then null else ${epochMs(sql`received_through`)} end as ms
        from telemetry_watermarks where name = ${WATERMARK.minutes}`,
  );
  const watermark = mark?.ms ?? null;
  // Where the roll-up stops being current, exactly as sparklines() decides it.
  const boundary = Math.min(now, Math.max(start, watermark === null ? start : floorToMinute(new Date(watermark)).getTime()));

  let store = stores.get(db);
  const reusable = store && store.from <= start && boundary >= store.to && boundary - store.from <= SLOTS * MINUTE_MS;
  if (!store || !reusable) {
    store = new ClosedMinutes();
    stores.set(db, store);
    store.open(start, boundary);
    const fresh = store;
    // A minute per statement: the whole hour in one was 1.2 M rows at 10,000 tunnels, parsed by
    // the driver in one piece (0.6–0.8 s of the console's thread at its first refresh, docs/
    // benchmarks.md "Fleet scale"); a minute is one row per end.
    for (let from = start; from < boundary; from += MINUTE_MS) {
      await forEachInSlices(await rollupMinutes(db, from, Math.min(boundary, from + MINUTE_MS)), (row) => fresh.set(row), slices);
    }
    store.from = start;
    store.to = boundary;
    store.watermark = watermark;
  } else if (watermark !== store.watermark) {
    // New closed minutes, and the older ones samples received since the last look landed in.
    const rows = await rollupMinutes(db, store.to, boundary, {
      from: store.from,
      to: store.to,
      receivedAfter: (store.watermark ?? Number.NEGATIVE_INFINITY) - ROLLUP_LIMITS.overlapMs,
      receivedThrough: watermark ?? Number.NEGATIVE_INFINITY,
    });
    store.open(store.to, boundary);
    const kept = store;
    await forEachInSlices(rows, (row) => kept.set(row), slices);
    store.to = boundary;
    store.from = Math.max(store.from, boundary - SLOTS * MINUTE_MS);
    store.watermark = watermark;
  }

  // The open minutes, straight from raw samples.
  const open = new Map<string, { n: number; total: number }>();
  const raw = await queryRows<MinuteRow>(
    db,
    sql`select endpoint_id, ${epochMs(sql`date_bin('1 minute', measured_at, ${BUCKET_ORIGIN})`)} as minute, count(rtt_ms)::int as n, sum(rtt_ms) as total
        from telemetry_samples
        where measured_at >= ${timeParam(new Date(boundary))} and measured_at <= ${timeParam(options.now)}
        group by 1, 2`,
  );
  await forEachInSlices(raw, (r) => open.set(`${r.endpoint_id}@${r.minute}`, { n: r.n, total: r.total ?? 0 }), slices);

  const held = store;
  return {
    ...frame,
    valuesOf(ends) {
      const values: (number | null)[] = new Array(frame.buckets).fill(null);
      const rows = ends.map((endpointId) => held.rowIndex(endpointId));
      for (let k = 0; k < frame.buckets; k++) {
        const sum = { n: 0, total: 0 };
        const bucketStart = start + k * frame.bucketMs;
        for (let minute = bucketStart; minute < bucketStart + frame.bucketMs && minute <= now; minute += MINUTE_MS) {
          for (let e = 0; e < ends.length; e++) {
            if (minute < boundary) held.addTo(sum, rows[e], minute);
            else {
              const endpointId = ends[e]!;
              const o = open.get(`${endpointId}@${minute}`);
              if (o) {
                sum.n += o.n;
                sum.total += o.total;
              }
            }
          }
        }
        values[k] = sum.n > 0 ? sum.total / sum.n : null;
      }
      return values;
    },
  };
}

/** Roll-up minutes in [from, to), and optionally those touched by samples received in a range. */
function rollupMinutes(
  db: Database,
  from: number,
  to: number,
  late?: { from: number; to: number; receivedAfter: number; receivedThrough: number },
): Promise<MinuteRow[]> {
  const columns = sql`r.endpoint_id, ${epochMs(sql`r.bucket_start`)} as minute, r.rtt_samples as n, r.rtt_avg_ms * r.rtt_samples as total`;
  const span = sql`select ${columns} from telemetry_rollups r
    where r.resolution = '1m' and r.bucket_start >= ${timeParam(new Date(from))} and r.bucket_start < ${timeParam(new Date(to))}`;
  if (!late || late.from >= late.to || !Number.isFinite(late.receivedThrough)) return queryRows<MinuteRow>(db, span);
  const after = Number.isFinite(late.receivedAfter) ? timeParam(new Date(late.receivedAfter)) : sql`'-infinity'::timestamptz`;
  return queryRows<MinuteRow>(
    db,
    sql`${span}
      union all
      select ${columns}
      from (
        select distinct endpoint_id, date_bin('1 minute', measured_at, ${BUCKET_ORIGIN}) as minute from telemetry_samples
        where received_at > ${after} and received_at <= ${timeParam(new Date(late.receivedThrough))}
          and measured_at >= ${timeParam(new Date(late.from))} and measured_at < ${timeParam(new Date(late.to))}
      ) t
      join telemetry_rollups r on r.endpoint_id = t.endpoint_id and r.resolution = '1m' and r.bucket_start = t.minute`,
  );
}
