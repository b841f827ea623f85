/**
 * Each endpoint's samples in its tenant's window, for the rules: read whole the first time, then
 * kept per process and brought up to date with only what arrived since.
 *
 * A tunnel that reports every 10 s has 90 samples in a 15-minute window, and a round re-read
 * all of them for each endpoint that got one more (at 1,000 tunnels, 180,000 rows every 15 s,
 * most of a round's cost). Samples never change once stored, so the window kept from the last
 * round is still right, short only of the newest ones: ingest moves the endpoint's samples_seq
 * with every batch, and late_seq when a batch held a sample older than the newest stored (an
 * agent's backlog). So, per endpoint:
 *   - samples_seq as when last read: nothing arrived, the kept window is used as it is;
 *   - late_seq not past it: only newer samples arrived, read after the newest kept;
 *   - otherwise, or never read, or the window grew: read the whole window again.
 * The sequence numbers are read before the samples, so a batch that lands in between is at
 * worst read twice, never missed. With several instances each keeps its own; they agree with
 * the database because they check it, not each other.
 *
 * Only the newest `paths` traces keep their hop path (the rest is dropped on arrival): the
 * asymmetric-routing rule compares that many, and single point of failure reads the newest.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { PathHop } from "@/lib/db/schema";
import { PAIR_END_ROLES, type PairEndRole } from "@/lib/domain/status";
import type { RuleSample } from "../rules/types";
import { epochMs, queryRows } from "../sql";
import { uuidArray } from "./due";

export type WindowRequest = {
  id: string;
  since: Date;
  /** How many of the newest traces must carry their path. */
  paths: number;
  /** The endpoint's samples_seq and late_seq, read before this call. */
  seq: number;
  lateSeq: number;
};

/**
 * One endpoint's kept window as rows of numbers in a ring: a Float64Array holding each sample's
 * numbers (NaN where the database said null: ingest refuses non-finite values, so no stored NaN
 * is confused with it; the DF probe's outcome and the pair role as small numbers), the pair
 * reasons in an array beside it (a run of equal reasons shares one string), and the hop paths of
 * only the newest `paths` traces. A round drops what left the window from the start of the ring
 * and writes what arrived after its end, in place: no new buffer unless the window outgrows it.
 *
 * Kept as RuleSample objects, a fleet's windows were millions of small objects that every major
 * garbage collection marked (20,000 ends × 90 samples: about 500 MB of heap, and a 320 ms pause
 * when V8 collected to reduce memory, docs/benchmarks.md "Fleet scale"). Copied into new typed
 * arrays every round, they were as much memory outside the heap each round, which V8 answers with
 * collections of its own (stalls of 200 ms in the scale run). So an endpoint is a handful of
 * objects, the samples' numbers lie outside the heap V8 marks and stay where they are, and the
 * RuleSample objects a round needs are made for that round and die with it.
 */
type Kept = { seq: number; since: number; paths: number; usedAt: number; samples: KeptSamples };

/** A sample's numbers, in this order, in a row of `rows`: times as epoch milliseconds. */
const [AT, RTT, JITTER, LOSS, DF_BYTES, BUM, MACS, PAIR_SINCE, DF_OK, ROLE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const WIDTH = 10;

/** Room for `count` samples and a few rounds' more: a window grows by a sample or two a round and loses as many. */
const capacityFor = (count: number) => count + Math.max(8, count >> 2);

class KeptSamples {
  private rows: Float64Array;
  private reasons: (string | null)[];
  /** The ring: the oldest sample's slot, and how many are held. */
  private start = 0;
  length = 0;
  /** The newest traces that carry a path, oldest first: their times and paths. */
  private traced: { at: number; path: PathHop[] }[] = [];

  private constructor(capacity: number) {
    this.rows = new Float64Array(capacity * WIDTH);
    this.reasons = new Array<string | null>(capacity).fill(null);
  }

  /** `samples` (oldest first) kept, the path of only the newest `paths` traces with one. */
  static of(samples: readonly RuleSample[], paths: number): KeptSamples {
    const kept = new KeptSamples(capacityFor(samples.length));
    kept.append(samples, paths);
    return kept;
  }

  private get capacity(): number {
    return this.reasons.length;
  }

  private slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  /** Drops the samples measured before `since` (the oldest, from the start of the ring). */
  dropBefore(since: number) {
    while (this.length > 0 && this.rows[this.start * WIDTH + AT]! < since) {
      this.reasons[this.start] = null;
      this.start = (this.start + 1) % this.capacity;
      this.length--;
    }
    if (this.traced.length > 0 && this.traced[0]!.at < since) this.traced = this.traced.filter((t) => t.at >= since);
  }

  /** Writes `added` (newer than every sample held, oldest first) after them; then only the newest `paths` traces keep a path. */
  append(added: readonly RuleSample[], paths: number) {
    if (this.length + added.length > this.capacity) this.grow(capacityFor(this.length + added.length));
    for (const s of added) {
      const slot = this.slot(this.length);
      const row = slot * WIDTH;
      this.rows[row + AT] = s.measuredAt.getTime();
      this.rows[row + RTT] = s.rttMs ?? Number.NaN;
      this.rows[row + JITTER] = s.jitterMs ?? Number.NaN;
      this.rows[row + LOSS] = s.lossPct ?? Number.NaN;
      this.rows[row + DF_BYTES] = s.dfProbeBytes ?? Number.NaN;
      this.rows[row + BUM] = s.bumPps ?? Number.NaN;
      this.rows[row + MACS] = s.learnedMacs ?? Number.NaN;
      this.rows[row + PAIR_SINCE] = s.pairSince ? s.pairSince.getTime() : Number.NaN;
      this.rows[row + DF_OK] = s.dfProbeOk === null || s.dfProbeOk === undefined ? -1 : s.dfProbeOk ? 1 : 0;
      this.rows[row + ROLE] = roleIndex(s.pairRole);
      const reason = s.pairReason ?? null;
      const previous = this.length > 0 ? this.reasons[this.slot(this.length - 1)]! : null;
      this.reasons[slot] = previous === reason ? previous : reason;
      this.length++;
      if (s.path && s.path.length > 0) this.traced.push({ at: s.measuredAt.getTime(), path: s.path });
    }
    if (this.traced.length > paths) this.traced = this.traced.slice(this.traced.length - paths);
  }

  private grow(capacity: number) {
    const rows = new Float64Array(capacity * WIDTH);
    const reasons = new Array<string | null>(capacity).fill(null);
    for (let i = 0; i < this.length; i++) {
      const from = this.slot(i);
      rows.set(this.rows.subarray(from * WIDTH, from * WIDTH + WIDTH), i * WIDTH);
      reasons[i] = this.reasons[from]!;
    }
    this.rows = rows;
    this.reasons = reasons;
    this.start = 0;
  }

  /** The time of the newest sample kept, or undefined when none is. */
  newestAt(): number | undefined {
    return this.length ? this.rows[this.slot(this.length - 1) * WIDTH + AT] : undefined;
  }

  /**
   * The samples as the rules read them, oldest first: new objects, the caller's to keep or change,
   * but their paths are the kept ones (shared, to be read only: no rule changes a path in place).
   */
  toSamples(): RuleSample[] {
    const out: RuleSample[] = [];
    let t = 0;
    for (let i = 0; i < this.length; i++) {
      const slot = this.slot(i);
      const row = slot * WIDTH;
      const at = this.rows[row + AT]!;
      while (t < this.traced.length && this.traced[t]!.at < at) t++;
      const pairSince = this.rows[row + PAIR_SINCE]!;
      const df = this.rows[row + DF_OK]!;
      const role = this.rows[row + ROLE]!;
      out.push({
        measuredAt: new Date(at),
        rttMs: orNull(this.rows[row + RTT]!),
        jitterMs: orNull(this.rows[row + JITTER]!),
        lossPct: orNull(this.rows[row + LOSS]!),
        dfProbeBytes: orNull(this.rows[row + DF_BYTES]!),
        dfProbeOk: df < 0 ? null : df === 1,
        path: t < this.traced.length && this.traced[t]!.at === at ? this.traced[t]!.path : null,
        bumPps: orNull(this.rows[row + BUM]!),
        learnedMacs: orNull(this.rows[row + MACS]!),
        pairRole: role < 0 ? null : PAIR_END_ROLES[role]!,
        pairSince: Number.isNaN(pairSince) ? null : new Date(pairSince),
        pairReason: this.reasons[slot] ?? null,
      });
    }
    return out;
  }
}

const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

function roleIndex(role: PairEndRole | null | undefined): number {
  if (role === null || role === undefined) return -1;
  const index = PAIR_END_ROLES.indexOf(role);
  // The column is the pair_end_role enum: a value outside it means the schema moved without this.
  if (index < 0) throw new Error(`Unknown pair role ${JSON.stringify(role)} in a sample`);
  return index;
}

/** Past this many samples kept, the least recently used endpoints are dropped (read whole again when needed). */
const MAX_KEPT_SAMPLES = 3_000_000;

export class SampleWindows {
  private readonly kept = new Map<string, Kept>();
  private size = 0;

  /** Each endpoint's window, oldest first, as new objects. Endpoints without samples map to an empty list. */
  async read(db: Database, endpoints: readonly WindowRequest[], now: number = Date.now()): Promise<Map<string, RuleSample[]>> {
    const whole: WindowRequest[] = [];
    const newer: (WindowRequest & { after: number })[] = [];
    for (const e of endpoints) {
      const k = this.kept.get(e.id);
      if (!k || k.since > e.since.getTime() || k.paths < e.paths || e.lateSeq > k.seq || e.seq < k.seq) whole.push(e);
      else if (e.seq !== k.seq) newer.push({ ...e, after: k.samples.newestAt() ?? e.since.getTime() - 1 });
    }
    const read = whole.length ? await readWholeWindows(db, whole) : new Map<string, RuleSample[]>();
    const added = newer.length ? await readNewerSamples(db, newer) : new Map<string, RuleSample[]>();

    const result = new Map<string, RuleSample[]>();
    for (const e of endpoints) {
      const old = this.kept.get(e.id);
      let keep: KeptSamples;
      let samples: RuleSample[];
      const keptBefore = old?.samples.length ?? 0;
      const wholeRead = read.get(e.id);
      if (wholeRead || !old) {
        keep = KeptSamples.of(wholeRead ?? [], e.paths);
        samples = wholeRead ?? [];
      } else {
        // Brought up to date in place: what left the window dropped, the newer samples written after the rest.
        keep = old.samples;
        keep.dropBefore(e.since.getTime());
        keep.append(added.get(e.id) ?? [], e.paths);
        samples = keep.toSamples();
      }
      this.size += keep.length - keptBefore;
      this.kept.set(e.id, { seq: e.seq, since: e.since.getTime(), paths: e.paths, samples: keep, usedAt: now });
      result.set(e.id, samples);
    }
    if (this.size > MAX_KEPT_SAMPLES) this.evict();
    return result;
  }

  private evict() {
    const byUse = [...this.kept].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [id, k] of byUse) {
      if (this.size <= MAX_KEPT_SAMPLES / 2) break;
      this.kept.delete(id);
      this.size -= k.samples.length;
    }
  }
}

type Row = {
  endpoint_id: string;
  at: number;
  rtt_ms: number | null;
  jitter_ms: number | null;
  loss_pct: number | null;
  df_probe_bytes: number | null;
  df_probe_ok: boolean | null;
  bum_pps: number | null;
  learned_macs: number | null;
  pair_role: PairEndRole | null;
  pair_since: number | null;
  pair_reason: string | null;
  path?: PathHop[] | null;
};

// Every column the rules read but the path (and the times, read as epoch milliseconds).
const COLUMNS = sql`s.rtt_ms, s.jitter_ms, s.loss_pct, s.df_probe_bytes, s.df_probe_ok, s.bum_pps, s.learned_macs, s.pair_role, ${epochMs(sql`s.pair_since`)} as pair_since, s.pair_reason`;

function toSample(r: Row): RuleSample {
  return {
    measuredAt: new Date(Math.round(r.at)),
    rttMs: r.rtt_ms,
    jitterMs: r.jitter_ms,
    lossPct: r.loss_pct,
    dfProbeBytes: r.df_probe_bytes,
    dfProbeOk: r.df_probe_ok,
    path: r.path ?? null,
    bumPps: r.bum_pps,
    learnedMacs: r.learned_macs,
    pairRole: r.pair_role,
    pairSince: r.pair_since === null ? null : new Date(Math.round(r.pair_since)),
    pairReason: r.pair_reason,
  };
}

function windowsOf(endpoints: readonly { id: string; since: Date; paths: number }[], extra?: SQL): SQL {
  return sql`unnest(${uuidArray(endpoints.map((e) => e.id))}, ${`{${endpoints.map((e) => e.since.toISOString()).join(",")}}`}::timestamptz[],
    ${`{${endpoints.map((e) => e.paths).join(",")}}`}::int[]${extra ? sql`, ${extra}` : sql``}) as w(id, since, paths${extra ? sql`, after` : sql``})`;
}

/**
 * Each endpoint's samples since its window start, oldest first, without the hop path; then the
 * path of the newest `paths` traces of each, put back on those samples. A lateral read per
 * endpoint (its ORDER BY keeps the planner from hashing the whole table instead), off the
 * (endpoint_id, measured_at) key. Times travel as epoch milliseconds: a number parses far faster.
 * Exported for tests/support/sample-windows-before.ts (the objects' store, bench/sample-windows.ts).
 */
export async function readWholeWindows(db: Database, endpoints: readonly WindowRequest[]): Promise<Map<string, RuleSample[]>> {
  const byEndpoint = new Map<string, RuleSample[]>(endpoints.map((e) => [e.id, []]));
  const windows = windowsOf(endpoints);
  const rows = await queryRows<Row>(
    db,
    sql`select w.id as endpoint_id, s.*
        from ${windows}
        cross join lateral (
          select ${epochMs(sql`s.measured_at`)} as at, ${COLUMNS}
          from telemetry_samples s where s.endpoint_id = w.id and s.measured_at >= w.since
          order by s.measured_at
        ) s`,
  );
  const index = new Map<string, RuleSample>();
  for (const r of rows) {
    const sample = toSample(r);
    byEndpoint.get(r.endpoint_id)?.push(sample);
    index.set(`${r.endpoint_id}@${sample.measuredAt.getTime()}`, sample);
  }
  const paths = await queryRows<{ endpoint_id: string; at: number; path: PathHop[] }>(
    db,
    sql`select w.id as endpoint_id, p.at, p.path
        from ${windows}
        cross join lateral (
          select ${epochMs(sql`s.measured_at`)} as at, s.path from telemetry_samples s
          where s.endpoint_id = w.id and s.measured_at >= w.since and s.path is not null and s.path <> '[]'::jsonb
          order by s.measured_at desc limit w.paths
        ) p`,
  );
  for (const p of paths) {
    const sample = index.get(`${p.endpoint_id}@${Math.round(p.at)}`);
    if (sample) sample.path = p.path;
  }
  return byEndpoint;
}

/** Each endpoint's samples measured after `after` (the newest kept), path included, oldest first. Exported as readWholeWindows is. */
export async function readNewerSamples(db: Database, endpoints: readonly (WindowRequest & { after: number })[]): Promise<Map<string, RuleSample[]>> {
  const byEndpoint = new Map<string, RuleSample[]>();
  const after = sql`${`{${endpoints.map((e) => new Date(e.after).toISOString()).join(",")}}`}::timestamptz[]`;
  const rows = await queryRows<Row>(
    db,
    sql`select w.id as endpoint_id, s.*
        from ${windowsOf(endpoints, after)}
        cross join lateral (
          select ${epochMs(sql`s.measured_at`)} as at, ${COLUMNS}, s.path
          from telemetry_samples s where s.endpoint_id = w.id and s.measured_at > w.after and s.measured_at >= w.since
          order by s.measured_at
        ) s`,
  );
  for (const r of rows) {
    let samples = byEndpoint.get(r.endpoint_id);
    if (!samples) byEndpoint.set(r.endpoint_id, (samples = []));
    samples.push(toSample(r));
  }
  return byEndpoint;
}
