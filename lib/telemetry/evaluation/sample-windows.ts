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
import type { PairEndRole } from "@/lib/domain/status";
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

type Kept = { seq: number; since: number; paths: number; samples: RuleSample[]; usedAt: number };

/** Past this many samples kept, the least recently used endpoints are dropped (read whole again when needed). */
const MAX_KEPT_SAMPLES = 3_000_000;

export class SampleWindows {
  private readonly kept = new Map<string, Kept>();
  private size = 0;

  /** Each endpoint's window, oldest first. Endpoints without samples map to an empty list. */
  async read(db: Database, endpoints: readonly WindowRequest[], now: number = Date.now()): Promise<Map<string, RuleSample[]>> {
    const whole: WindowRequest[] = [];
    const newer: (WindowRequest & { after: number })[] = [];
    for (const e of endpoints) {
      const k = this.kept.get(e.id);
      if (!k || k.since > e.since.getTime() || k.paths < e.paths || e.lateSeq > k.seq || e.seq < k.seq) whole.push(e);
      else if (e.seq !== k.seq) newer.push({ ...e, after: k.samples.at(-1)?.measuredAt.getTime() ?? e.since.getTime() - 1 });
    }
    const read = whole.length ? await readWholeWindows(db, whole) : new Map<string, RuleSample[]>();
    const added = newer.length ? await readNewerSamples(db, newer) : new Map<string, RuleSample[]>();

    const result = new Map<string, RuleSample[]>();
    for (const e of endpoints) {
      const old = this.kept.get(e.id);
      let samples: RuleSample[];
      if (read.has(e.id)) samples = read.get(e.id)!;
      else {
        const since = e.since.getTime();
        samples = old!.samples.filter((s) => s.measuredAt.getTime() >= since).concat(added.get(e.id) ?? []);
        keepNewestPaths(samples, e.paths);
      }
      this.size += samples.length - (old?.samples.length ?? 0);
      this.kept.set(e.id, { seq: e.seq, since: e.since.getTime(), paths: e.paths, samples, usedAt: now });
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

/** Drops the path of every trace but the newest `paths` (which are what the rules compare). */
function keepNewestPaths(samples: RuleSample[], paths: number) {
  let seen = 0;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (!s.path || s.path.length === 0) continue;
    if (seen < paths) seen++;
    else s.path = null;
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
 */
async function readWholeWindows(db: Database, endpoints: readonly WindowRequest[]): Promise<Map<string, RuleSample[]>> {
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

/** Each endpoint's samples measured after `after` (the newest kept), path included, oldest first. */
async function readNewerSamples(db: Database, endpoints: readonly (WindowRequest & { after: number })[]): Promise<Map<string, RuleSample[]>> {
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
  for (const r of rows) byEndpoint.set(r.endpoint_id, [...(byEndpoint.get(r.endpoint_id) ?? []), toSample(r)]);
  return byEndpoint;
}
