/**
 * The warning evaluation: tenants' tunnels through the rules, the warnings table brought in line
 * with the result (open, update, clear, resolve), and each tunnel's status written where every
 * view reads it.
 *
 * Incremental: a round evaluates only the tenants that are due (lib/telemetry/evaluation/due.ts):
 * new samples from one of their endpoints, a configuration change, or the moment time alone can
 * change their result (lib/telemetry/evaluation/deadline.ts). A round over a fleet where nothing
 * moved reads no sample at all, and its cost follows the tunnels that reported, not the fleet.
 *
 * Due tenants are evaluated in batches, each in a transaction of its own that first takes an
 * advisory lock: with several app instances on one PostgreSQL exactly one evaluates at a time
 * (the others skip the round), and no transaction holds the embedded database's one connection
 * for long, so requests are served between batches. Every batch reads in a fixed handful of
 * statements and writes in a fixed handful, whatever its size; the samples it reads are only
 * those that arrived since this process last looked (evaluation/sample-windows.ts).
 */
import "server-only";
import { inArray, sql } from "drizzle-orm";
import { lockTenantsInIdOrder } from "@/lib/commands/lock-in-id-order";
import type { Database } from "@/lib/db/client";
import { tenants } from "@/lib/db/schema";
import type { TunnelStatus } from "@/lib/domain/status";
import { startBackgroundLoop, type BackgroundLoop } from "@/lib/server/background-loop";
import { forEachInSlices } from "@/lib/server/time-slices";
import { findDueTenants, readFingerprints, type DueTenant } from "./evaluation/due";
import { nextEvaluationAt } from "./evaluation/deadline";
import { buildRuleInputs, readTenantRows, thresholdsOf, type TenantRows } from "./evaluation/inputs";
import { SampleWindows } from "./evaluation/sample-windows";
import { applyTunnelStatuses, applyWarningChanges, saveEvaluations, type EvaluationRecord } from "./evaluation/writes";
import { tunnelHealth } from "./health";
import { reconcileWarnings, type WarningChange } from "./lifecycle";
import { evaluateTenant } from "./rules/evaluate";
import { queryRows } from "./sql";
import { ThresholdsError } from "./thresholds";

/** The lock every instance's evaluation batch takes; a round that cannot get it stops. */
export const EVALUATION_LOCK = 0x62686576; // "bhev"

/**
 * Tenants per batch (each with up to two tunnels). Small enough that a batch holds the embedded
 * database's one connection for tens of milliseconds on a busy machine, large enough that the
 * statements' fixed costs are shared.
 */
export const EVALUATION_BATCH = 50;

export type EvaluationRound =
  | { ran: false }
  | {
      ran: true;
      /** Tenants due at the start of the round. */
      due: number;
      /** Tenants evaluated and their tunnels (fewer than due when another instance took over mid-round). */
      tenants: number;
      tunnels: number;
      opened: number;
      resolved: number;
      statusChanges: number;
      skippedTenants: { slug: string; reason: string }[];
    };

type BatchOutcome = Omit<Extract<EvaluationRound, { ran: true }>, "ran" | "due">;

/** The windows each process keeps between its rounds, per database (sample-windows.ts). */
const keptWindows = new WeakMap<Database, SampleWindows>();

export async function runWarningEvaluation(
  db: Database,
  options: { now?: Date; batchSize?: number; /** Default: the ones this process keeps for `db`. */ windows?: SampleWindows } = {},
): Promise<EvaluationRound> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? EVALUATION_BATCH;
  const total: BatchOutcome = { tenants: 0, tunnels: 0, opened: 0, resolved: 0, statusChanges: 0, skippedTenants: [] };
  let windows = options.windows ?? keptWindows.get(db);
  if (!windows) keptWindows.set(db, (windows = new SampleWindows()));
  const kept = windows;

  // The first batch also finds what is due, under the lock, so a round that another instance
  // is running reports { ran: false } without any work.
  const first = await lockedStep(db, async (tx) => {
    const due = await findDueTenants(tx, now);
    return { due, outcome: await evaluateBatch(tx, due.slice(0, batchSize), now, kept) };
  });
  if (!first) return { ran: false };
  add(total, first.outcome);

  for (let offset = batchSize; offset < first.due.length; offset += batchSize) {
    const batch = first.due.slice(offset, offset + batchSize).map((d) => d.tenantId);
    // Read again inside the batch's transaction: the fingerprints saved must be those the
    // inputs were read with (samples arriving meanwhile make the tenant due next round).
    const outcome = await lockedStep(db, async (tx) => evaluateBatch(tx, await readFingerprints(tx, batch), now, kept));
    // Another instance holds the lock between our batches: it is evaluating, and its round
    // finds what this one has left.
    if (!outcome) break;
    add(total, outcome);
  }
  return { ran: true, due: first.due.length, ...total };
}

/** Runs `work` in a transaction holding the evaluation lock; null when another instance holds it. */
async function lockedStep<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T | null> {
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${EVALUATION_LOCK}::bigint) as locked`);
    return lock?.locked ? work(tx) : null;
  });
}

/** One batch: read, evaluate, write, remember. */
async function evaluateBatch(tx: Database, due: readonly DueTenant[], now: Date, windows: SampleWindows): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { tenants: 0, tunnels: 0, opened: 0, resolved: 0, statusChanges: 0, skippedTenants: [] };
  if (due.length === 0) return outcome;
  // The batch's tenants are locked first ("key share", in id order): the batch's writes lock
  // them anyway (the foreign keys of tenant_evaluations and of a warning opened), but only after
  // their tunnels and warnings, while a command on a tenant (offboarding, unextend, an edit)
  // locks the tenant first and its tunnels and warnings after: the two deadlocked on PostgreSQL
  // (40P01, tests/evaluation-lock-order.test.ts). Taken before the read, so an offboarding that
  // commits meanwhile is seen, not evaluated over. It blocks only a tenant's "for update".
  await lockTenantsInIdOrder(tx, inArray(tenants.id, due.map((d) => d.tenantId)), "key share");
  const rows = await readTenantRows(
    tx,
    due.map((d) => d.tenantId),
    now,
    windows,
  );
  const fingerprint = new Map(due.map((d) => [d.tenantId, d]));
  const changes: WarningChange[] = [];
  const statuses: { tunnelId: string; status: TunnelStatus }[] = [];
  const records: EvaluationRecord[] = [];
  // The rules run in slices (lib/server/time-slices.ts): a batch's tenants in one piece held the
  // event loop for 40–90 ms on a quiet machine, several times that under load.
  await forEachInSlices(rows, (tenant) => {
    const result = evaluateOne(tenant, now);
    if ("skipped" in result) {
      // Evaluating with numbers the operator did not choose would be worse than not at all.
      // Not remembered: the tenant is due again next round, and says so again.
      outcome.skippedTenants.push({ slug: tenant.tenant.slug, reason: result.skipped });
      return;
    }
    changes.push(...result.changes);
    statuses.push(...result.statuses);
    const seen = fingerprint.get(tenant.tenant.id)!;
    records.push({ tenantId: seen.tenantId, samplesSeq: seen.samplesSeq, configHash: seen.configHash, dueAt: result.dueAt, evaluatedAt: now });
    outcome.tenants += 1;
    outcome.tunnels += tenant.tunnels.length;
  });
  await applyWarningChanges(tx, changes);
  await applyTunnelStatuses(tx, statuses, now);
  await saveEvaluations(tx, records);
  outcome.opened = changes.filter((c) => c.op === "open").length;
  outcome.resolved = changes.filter((c) => c.op === "resolve").length;
  outcome.statusChanges = statuses.length;
  return outcome;
}

/**
 * One tenant through the rules and the lifecycle: the warning changes, the tunnels whose status
 * changed, and when it is next due if nothing arrives. Pure.
 */
export function evaluateOne(
  tenant: TenantRows,
  now: Date,
): { skipped: string } | { changes: WarningChange[]; statuses: { tunnelId: string; status: TunnelStatus }[]; dueAt: Date | null } {
  const thresholds = thresholdsOf(tenant.tenant);
  if (thresholds instanceof ThresholdsError) return { skipped: thresholds.message };
  const inputs = buildRuleInputs(tenant, thresholds, now);
  const evaluation = evaluateTenant(inputs);
  const changes = reconcileWarnings({ active: tenant.active, evaluation, now, resolveAfterClearMinutes: thresholds.resolveAfterClearMinutes });
  const statusOf = new Map(tenant.tunnels.map((t) => [t.id, t.status]));
  const statuses = inputs
    .map((input) => ({ tunnelId: input.tunnel.id, status: tunnelHealth(input, evaluation.conditions, now) }))
    .filter((s) => statusOf.get(s.tunnelId) !== s.status);
  const dueAt = nextEvaluationAt({
    now,
    inputs,
    plannedCutoverOn: tenant.tenant.plannedCutoverOn,
    active: tenant.active,
    changes,
    resolveAfterClearMinutes: thresholds.resolveAfterClearMinutes,
  });
  return { changes, statuses, dueAt };
}

function add(total: BatchOutcome, batch: BatchOutcome) {
  total.tenants += batch.tenants;
  total.tunnels += batch.tunnels;
  total.opened += batch.opened;
  total.resolved += batch.resolved;
  total.statusChanges += batch.statusChanges;
  total.skippedTenants.push(...batch.skippedTenants);
}

/**
 * Runs a round every `intervalMs`. The first round waits one interval too, so agents (and the
 * demo fleet) that reconnect after a restart report before anything is judged silent.
 */
export function startWarningEvaluation(db: Database, options: { intervalMs?: number } = {}): BackgroundLoop {
  return startBackgroundLoop({
    name: "warnings",
    intervalMs: options.intervalMs ?? 15_000,
    runAtStart: false,
    round: async () => {
      const round = await runWarningEvaluation(db);
      if (round.ran) for (const { slug, reason } of round.skippedTenants) console.warn(`[warnings] ${slug} not evaluated: ${reason}`);
    },
  });
}
