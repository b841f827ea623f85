/**
 * Stores an agent's samples. A sample is identified by (endpoint, measuredAt), so an agent that
 * re-sends after a timeout does not count anything twice; the batch is stored all or nothing.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { AgentPrincipal } from "@/lib/auth/agent";
import type { Database } from "@/lib/db/client";
import type { MacReport } from "@/lib/db/schema";
import { GroupCommit } from "@/lib/server/group-commit";
import { isStatementCancelled } from "@/lib/db/errors";
import { ROLLUP_LIMITS } from "./rollup";
import { MAX_CLOCK_SKEW_MS, MAX_SAMPLE_AGE_MS, type TelemetrySample } from "@/lib/validation/telemetry";

export type IngestResult =
  | { ok: true; accepted: number; duplicates: number }
  | { ok: false; fields: Record<string, string[]> };

/**
 * Times outside the window are refused by field, before anything is written. A pair report's
 * `since` is bounded too: the schema takes any calendar date with a zone, and some it takes
 * (year 0000, or a year past 9999 once in UTC) the database cannot store, which failed the whole
 * write with a 500 and kept the sample at the head of the agent's spool, failing every later
 * post with it for the seven days until it aged out.
 */
export function checkSampleTimes(samples: TelemetrySample[], now: Date): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  samples.forEach((sample, index) => {
    const at = Date.parse(sample.measuredAt);
    if (at > now.getTime() + MAX_CLOCK_SKEW_MS) fields[`samples.${index}.measuredAt`] = ["More than 5 minutes in the future: check the agent's clock (NTP)."];
    else if (at < now.getTime() - MAX_SAMPLE_AGE_MS) fields[`samples.${index}.measuredAt`] = ["Older than the 7-day raw retention: it would be deleted at once."];
    const since = sample.pair ? Date.parse(sample.pair.since) : null;
    if (since !== null && !(since >= 0 && since <= at + MAX_CLOCK_SKEW_MS)) {
      fields[`samples.${index}.pair.since`] = ["When this end took its role: not after the sample's measuredAt (5 minutes' leeway) and not before 1970."];
    }
  });
  return fields;
}

/** One agent's validated batch, waiting for the group it is written with. */
type PendingBatch = { agent: AgentPrincipal; samples: TelemetrySample[]; now: Date };
/** As queued: with its batchWeight, taken once when it arrives. */
type WeighedBatch = PendingBatch & { weight: number };
type BatchResult = { accepted: number; duplicates: number };

/** The most one group statement carries (batchWeight: samples, or KB when heavier): a few MB of JSON. */
const MAX_GROUP_SAMPLES = 5_000;
/**
 * The most that may wait for a write (batchWeight, as above): about ten seconds of ingest on the embedded
 * database (bench figures in docs/benchmarks.md), the agents' own HTTP timeout. Anything queued
 * longer would be written after its agent gave up and re-sent it; beyond it a post is answered
 * 503 and stays in the agent's spool.
 */
const MAX_WAITING_SAMPLES = 50_000;
/**
 * The longest a batch may wait for its group: half the roll-ups' overlap. A sample's received_at
 * is the request's arrival, and the roll-ups re-read only that overlap behind their watermark by
 * arrival; a batch written later than that would never be rolled up. Refused instead (503), it
 * stays in the agent's spool and is sent again with a fresh arrival time.
 */
const MAX_QUEUE_WAIT_MS = ROLLUP_LIMITS.overlapMs / 2;
const writers = new WeakMap<Database, GroupCommit<WeighedBatch, BatchResult>>();

/**
 * Stores one agent's batch. Batches that arrive while another is being written go to the
 * database together, in one statement (lib/server/group-commit.ts); each caller still gets
 * its own counts, and a batch is stored all or nothing.
 *
 * `jsonLength`: the length of the JSON the batch arrived as, when the caller has it (the
 * route does), so that weighing the batch does not write it out as JSON again.
 */
export async function ingestSamples(db: Database, agent: AgentPrincipal, samples: TelemetrySample[], now = new Date(), jsonLength?: number): Promise<IngestResult> {
  const fields = checkSampleTimes(samples, now);
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  if (samples.length === 0) return { ok: true, accepted: 0, duplicates: 0 };
  let writer = writers.get(db);
  if (!writer) {
    writer = new GroupCommit((batches) => writeBatches(db, batches), {
      maxWeight: MAX_GROUP_SAMPLES,
      maxWaiting: MAX_WAITING_SAMPLES,
      maxWaitMs: MAX_QUEUE_WAIT_MS,
      // A group cancelled by the statement limit is the database's trouble, not one batch's.
      retryAlone: (error) => !isStatementCancelled(error),
      weightOf: (batch) => batch.weight,
    });
    writers.set(db, writer);
  }
  return { ok: true, ...(await writer.submit({ agent, samples, now, weight: batchWeight(samples, jsonLength) })) };
}

/** A kilobyte of JSON, about what an ordinary sample (a few path hops, no MAC lists) takes. */
const SAMPLE_BYTES = 1_024;

/**
 * How much a batch weighs against the group's and the queue's limits: its samples, or its size
 * in kilobytes of JSON when that is more. A sample may carry 2,048 MACs (about 40 KB): counted
 * as one, 50,000 of them waiting would be 2 GB, and a group's statement hundreds of MB.
 *
 * The size is the request body's length when the caller knows it: writing every batch out as
 * JSON again only to weigh it was a few per cent of the console's thread while ingesting
 * backlogs (bench/loop-work.ts). Only callers without a body (in-process writers) pay for it.
 */
export function batchWeight(samples: readonly TelemetrySample[], jsonLength?: number): number {
  return Math.max(samples.length, Math.ceil((jsonLength ?? JSON.stringify(samples).length) / SAMPLE_BYTES));
}

/** What one endpoint's row learns from the batches of a group: its newest sample, role report and MAC lists. */
type EndUpdate = {
  id: string;
  newest: string;
  token_hash: string;
  pair_at: string | null;
  pair_role: string | null;
  pair_since: string | null;
  pair_reason: string | null;
  macs_at: string | null;
  macs: MacReport | null;
};

/**
 * One statement for a whole group: the rows travel as a single JSON parameter that PostgreSQL
 * unpacks with json_to_recordset, and each endpoint's last-sample time (and which of its tokens
 * the agent used) is moved in the same statement (a data-modifying CTE), which makes it
 * all-or-nothing without a transaction; so is the bump of the endpoint's `samples_seq`, the
 * warning evaluation's sign that this end has news. A batch of 200 as ordinary parameters is
 * 2,800 values for drizzle and the driver to bind one by one, plus three more round trips for
 * the transaction: on PGlite that was over half the cost of a request (bench/ingest.ts: about
 * 2.5× fewer µs per sample this way). Exported for tests/ingest-lock-order.test.ts; everything
 * else writes through ingestSamples.
 */
export async function writeBatches(db: Database, batches: readonly PendingBatch[]): Promise<BatchResult[]> {
  const { samplesJson, endsJson } = groupParameters(batches);
  const result = (await db.execute(sql`
    with source as materialized (
      select * from json_to_recordset(${samplesJson}::json) as r(
        b integer, e uuid, m timestamptz, r timestamptz, rtt float8, jit float8, loss float8, dfb integer, dfok boolean, path text,
        txb bigint, rxb bigint, txp bigint, rxp bigint, bum float8, macs integer, pr text, ps timestamptz, pre text)
    ), inserted as (
      insert into telemetry_samples (endpoint_id, measured_at, received_at, rtt_ms, jitter_ms, loss_pct, df_probe_bytes, df_probe_ok, path,
                                     tx_bytes, rx_bytes, tx_packets, rx_packets, bum_pps, learned_macs, pair_role, pair_since, pair_reason)
      select r.e, r.m, r.r, r.rtt, r.jit, r.loss, r.dfb, r.dfok, r.path::jsonb, r.txb, r.rxb, r.txp, r.rxp, r.bum, r.macs, r.pr::pair_end_role, r.ps, r.pre
      from source r
      on conflict do nothing
      returning endpoint_id, measured_at
    ), news as (
      select endpoint_id, min(measured_at) as first from inserted group by endpoint_id
    ), ends as (
      select * from json_to_recordset(${endsJson}::json) as e(
        id uuid, newest timestamptz, token_hash text, pair_at timestamptz, pair_role text, pair_since timestamptz, pair_reason text, macs_at timestamptz, macs jsonb)
    ), locked as (
      -- The group's endpoints are locked here, in id order, before the update below touches any
      -- of them: left to the update, rows are locked in whatever order its join yields (the
      -- order the batches arrived in, through a nested loop over the primary key), and two
      -- console instances writing overlapping groups in opposite orders deadlock on PostgreSQL
      -- (tests/ingest-lock-order.test.ts). The rows come out of the sort and are locked in
      -- that order; every row the update reaches has come through here first.
      select t.id from tunnel_endpoints t where t.id in (select id from ends) order by t.id for no key update
    ), touched as (
      -- The role moves only forward in time: a spooled backlog delivered late does not undo a newer report.
      -- samples_seq moves only when something new was stored: the warning evaluation takes it for
      -- news (lib/telemetry/evaluation/due.ts); late_seq moves when the news is not only the newest
      -- (lib/telemetry/evaluation/sample-windows.ts). A group of re-sends moves neither.
      update tunnel_endpoints t set
        last_sample_at = greatest(t.last_sample_at, e.newest),
        last_token_hash = e.token_hash,
        pair_role = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_role::pair_end_role else t.pair_role end,
        pair_since = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_since else t.pair_since end,
        pair_reason = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_reason else t.pair_reason end,
        pair_reported_at = case when e.pair_at is not null and (t.pair_reported_at is null or t.pair_reported_at < e.pair_at) then e.pair_at else t.pair_reported_at end,
        samples_seq = t.samples_seq + case when n.endpoint_id is not null then 1 else 0 end,
        late_seq = case when n.first <= t.last_sample_at then t.samples_seq + 1 else t.late_seq end,
        mac_report = case when e.macs_at is not null and (t.mac_reported_at is null or t.mac_reported_at < e.macs_at) then e.macs else t.mac_report end,
        mac_reported_at = case when e.macs_at is not null and (t.mac_reported_at is null or t.mac_reported_at < e.macs_at) then e.macs_at else t.mac_reported_at end
      from locked l join ends e on e.id = l.id left join news n on n.endpoint_id = e.id
      where t.id = l.id
    ), stored_by as (
      -- Which batch stored each new row: a sample sent twice in one group (or twice in a batch)
      -- is one row, and counts for the first batch that carried it.
      select min(s.b) as b from inserted i join source s on s.e = i.endpoint_id and s.m = i.measured_at group by i.endpoint_id, i.measured_at
    )
    select b, count(*)::integer as accepted from stored_by group by b`)) as unknown as { rows: { b: number; accepted: number }[] };
  // Counted in the statement rather than sent back row by row: 5,000 rows of a full group for
  // the driver to parse and match were a few per cent of the console's thread under a backlog.
  const accepted = new Map(result.rows.map((r) => [r.b, r.accepted]));
  return batches.map(({ samples }, b) => {
    const stored = accepted.get(b) ?? 0;
    return { accepted: stored, duplicates: samples.length - stored };
  });
}

/**
 * The group statement's two JSON parameters: every sample as a row, and what each endpoint's row
 * learns from the group. Exported for bench/post-cost.ts, which weighs what it allocates.
 */
export function groupParameters(batches: readonly PendingBatch[]): { samplesJson: string; endsJson: string } {
  const rows: ReturnType<typeof sampleRow>[] = [];
  const ends = new Map<string, EndUpdate>();
  for (let batch = 0; batch < batches.length; batch++) {
    const { agent, samples, now } = batches[batch]!;
    let end = ends.get(agent.endpointId);
    if (!end) {
      end = { id: agent.endpointId, newest: "", token_hash: agent.tokenHash, pair_at: null, pair_role: null, pair_since: null, pair_reason: null, macs_at: null, macs: null };
      ends.set(agent.endpointId, end);
    }
    // The token of the latest batch of the group is the one the agent uses now.
    end.token_hash = agent.tokenHash;
    const receivedAt = now.toISOString();
    for (const s of samples) {
      const at = toMillisecondTime(s.measuredAt);
      rows.push(sampleRow(batch, agent.endpointId, s, at, receivedAt));
      if (at > end.newest) end.newest = at;
      // The newest sample that says what this end does in its pair: the endpoint keeps that role.
      if (s.pair && (!end.pair_at || at > end.pair_at)) {
        end.pair_at = at;
        end.pair_role = s.pair.role;
        end.pair_since = toMillisecondTime(s.pair.since);
        end.pair_reason = s.pair.reason;
      }
      // Likewise the newest MAC lists (with the gateway probe sent beside them): kept on the
      // endpoint, not per sample, as they are large.
      if (s.macs && (!end.macs_at || at > end.macs_at)) {
        end.macs_at = at;
        end.macs = macReportOf(s);
      }
    }
  }
  return { samplesJson: JSON.stringify(rows), endsJson: JSON.stringify([...ends.values()]) };
}

/**
 * A time as the database is given it: milliseconds, as a JavaScript Date holds them, so that a
 * re-send differing only in sub-millisecond digits (or written with another offset) is the same
 * sample. A time already in that form (UTC, milliseconds: what the real agent sends and
 * `toISOString` writes) is that string already and is kept as it is, not parsed into a Date and
 * written out again: one Date and one string less per sample. The schema (a valid calendar date
 * and time of day, lib/validation/telemetry.ts) has refused anything else of that shape.
 */
export function toMillisecondTime(iso: string): string {
  if (iso.length === 24 && iso.charCodeAt(23) === 90 /* Z */ && iso.charCodeAt(19) === 46 /* . */ && iso.charCodeAt(10) === 84 /* T */) return iso;
  return new Date(Date.parse(iso)).toISOString();
}

/**
 * A sample as one element of the statement's JSON, with the index of its batch in the group (the
 * statement counts each batch's stored samples by it): short keys (the statement's column list names
 * them), and a field the sample lacks left out rather than written as null (json_to_recordset
 * reads a missing key as NULL). The JSON is built and parsed again for every sample of every group:
 * with the long column names and every null spelled out it was twice the length.
 */
function sampleRow(batch: number, endpointId: string, s: TelemetrySample, measuredAt: string, receivedAt: string) {
  return {
    b: batch,
    e: endpointId,
    m: measuredAt,
    r: receivedAt,
    rtt: s.rttMs,
    jit: s.jitterMs,
    loss: s.lossPct,
    dfb: s.dfProbe?.bytes,
    dfok: s.dfProbe?.ok,
    path: s.path,
    txb: s.counters?.txBytes,
    rxb: s.counters?.rxBytes,
    txp: s.counters?.txPackets,
    rxp: s.counters?.rxPackets,
    bum: s.bumPps,
    macs: s.learnedMacs,
    pr: s.pair?.role,
    ps: s.pair ? toMillisecondTime(s.pair.since) : undefined,
    pre: s.pair?.reason,
  };
}

/** What the endpoint keeps of a sample's MAC lists and gateway probe (sorted, so a report reads the same each time). */
function macReportOf(sample: TelemetrySample): MacReport {
  return {
    local: [...(sample.macs?.local ?? [])].sort(),
    tunnel: [...(sample.macs?.tunnel ?? [])].sort(),
    truncated: sample.macs?.truncated ?? false,
    gatewayProbe: sample.gatewayProbe ? { address: sample.gatewayProbe.address, answeredBy: [...new Set(sample.gatewayProbe.answeredBy)].sort() } : null,
  };
}
