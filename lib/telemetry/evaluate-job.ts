/**
 * The warning evaluation: every tenant's tunnels through the rules, the warnings table brought
 * in line with the result (open, update, clear, resolve), and each tunnel's status written
 * where every view reads it. A round runs under an advisory lock, so with several app instances
 * on one PostgreSQL exactly one of them evaluates at a time; the others skip that round.
 *
 * Reads are few and fleet-wide (one query each for tenants, tunnels, endpoints, recent samples,
 * baselines and active warnings), so a round costs the same number of queries for 10 tunnels as
 * for 1,000.
 */
import "server-only";
import { and, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { telemetryRollups, telemetrySamples, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import type { TunnelStatus } from "@/lib/domain/status";
import type { Side } from "@/lib/domain/tenant-options";
import { enqueueWarningNotifications } from "@/lib/notifications/outbox";
import { startBackgroundLoop, type BackgroundLoop } from "@/lib/server/background-loop";
import { tunnelHealth } from "./health";
import { queryRows } from "./sql";
import { reconcileWarnings, type ActiveWarning, type WarningChange } from "./lifecycle";
import { firstAnsweringHop } from "./rules/asymmetric-routing";
import { evaluateTenant, evaluateTunnel } from "./rules/evaluate";
import type { RuleInput, RuleSample } from "./rules/types";
import { BASELINE_WINDOW_DAYS, computeBaselineRtt, resolveThresholds, ThresholdsError, THRESHOLD_SPECS } from "./thresholds";

/** The lock every instance's evaluation round takes; a round that cannot get it is skipped. */
export const EVALUATION_LOCK = 0x62686576; // "bhev"

export type EvaluationRound =
  | { ran: false }
  | { ran: true; tenants: number; tunnels: number; opened: number; resolved: number; statusChanges: number; skippedTenants: { slug: string; reason: string }[] };

/**
 * Where most of a segment's workloads are. Each agent counts the MAC addresses its bridge learned
 * on the local (LAN) port, i.e. the workloads on its side; a side with at least twice the other's
 * is where they mostly are. Fewer than 4 in all tells nothing.
 */
export function workloadsMostlyIn(localMacs: Record<Side, number | null>): Side | "unknown" {
  const source = localMacs.source ?? 0;
  const avs = localMacs.avs ?? 0;
  if (localMacs.source === null || localMacs.avs === null || source + avs < 4) return "unknown";
  if (source >= 2 * avs) return "source";
  if (avs >= 2 * source) return "avs";
  return "unknown";
}

export async function runWarningEvaluation(db: Database, options: { now?: Date } = {}): Promise<EvaluationRound> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${EVALUATION_LOCK}::bigint) as locked`);
    if (!lock?.locked) return { ran: false } as const;

    const tenantRows = await tx.select().from(tenants).where(inArray(tenants.state, ["onboarding", "active"]));
    if (tenantRows.length === 0) return { ran: true, tenants: 0, tunnels: 0, opened: 0, resolved: 0, statusChanges: 0, skippedTenants: [] };
    const tenantIds = tenantRows.map((t) => t.id);
    // Each tenant's thresholds first: the samples read are those of the widest window in use
    // (15 minutes unless a tenant chose more), not of the widest any tenant might choose.
    const thresholdsOf = new Map<string, ReturnType<typeof resolveThresholds> | ThresholdsError>();
    for (const tenant of tenantRows) {
      try {
        thresholdsOf.set(tenant.id, resolveThresholds(tenant.latencyObjectiveMs, tenant.warningThresholds));
      } catch (error) {
        if (!(error instanceof ThresholdsError)) throw error;
        thresholdsOf.set(tenant.id, error);
      }
    }
    const widestWindowMs =
      Math.max(...[...thresholdsOf.values()].map((t) => (t instanceof ThresholdsError ? 0 : t.windowMinutes)), THRESHOLD_SPECS.windowMinutes.default) * 60_000;
    const tunnelRows = await tx.select().from(tunnels).where(inArray(tunnels.tenantId, tenantIds));
    const tunnelIds = tunnelRows.map((t) => t.id);
    const endpointRows = tunnelIds.length ? await tx.select().from(tunnelEndpoints).where(inArray(tunnelEndpoints.tunnelId, tunnelIds)) : [];
    const endpointIds = endpointRows.map((e) => e.id);

    const sampleRows = endpointIds.length
      ? await tx
          .select({
            endpointId: telemetrySamples.endpointId,
            measuredAt: telemetrySamples.measuredAt,
            rttMs: telemetrySamples.rttMs,
            jitterMs: telemetrySamples.jitterMs,
            lossPct: telemetrySamples.lossPct,
            dfProbeBytes: telemetrySamples.dfProbeBytes,
            dfProbeOk: telemetrySamples.dfProbeOk,
            path: telemetrySamples.path,
            bumPps: telemetrySamples.bumPps,
            learnedMacs: telemetrySamples.learnedMacs,
            pairRole: telemetrySamples.pairRole,
            pairSince: telemetrySamples.pairSince,
            pairReason: telemetrySamples.pairReason,
          })
          .from(telemetrySamples)
          .where(and(inArray(telemetrySamples.endpointId, endpointIds), gte(telemetrySamples.measuredAt, new Date(now.getTime() - widestWindowMs))))
          .orderBy(telemetrySamples.measuredAt)
      : [];
    const samplesByEndpoint = groupBy(sampleRows, (s) => s.endpointId);

    // The baseline is the median of the source end's hourly RTT over the last week.
    const baselineRows = endpointIds.length
      ? await tx
          .select({ endpointId: telemetryRollups.endpointId, rtt: telemetryRollups.rttAvgMs })
          .from(telemetryRollups)
          .where(
            and(
              inArray(telemetryRollups.endpointId, endpointIds),
              eq(telemetryRollups.resolution, "1h"),
              gte(telemetryRollups.bucketStart, new Date(now.getTime() - BASELINE_WINDOW_DAYS * 86_400_000)),
            ),
          )
      : [];
    const hourlyByEndpoint = groupBy(baselineRows, (r) => r.endpointId);

    const activeRows = await tx
      .select()
      .from(warnings)
      .where(and(inArray(warnings.tenantId, tenantIds), ne(warnings.state, "resolved")));
    const activeByTenant = groupBy(activeRows, (w) => w.tenantId);

    let opened = 0;
    let resolved = 0;
    let statusChanges = 0;
    const skippedTenants: { slug: string; reason: string }[] = [];
    const tunnelsByTenant = groupBy(tunnelRows, (t) => t.tenantId);
    const endpointsByTunnel = groupBy(endpointRows, (e) => e.tunnelId);

    for (const tenant of tenantRows) {
      const thresholds = thresholdsOf.get(tenant.id)!;
      if (thresholds instanceof ThresholdsError) {
        // Evaluating with numbers the operator did not choose would be worse than not at all.
        skippedTenants.push({ slug: tenant.slug, reason: thresholds.message });
        continue;
      }
      const windowStart = now.getTime() - thresholds.windowMinutes * 60_000;
      const own = (tunnelsByTenant.get(tenant.id) ?? []).sort((a, b) => a.ordinal - b.ordinal);
      const ends = (tunnelId: string, side: Side) => (endpointsByTunnel.get(tunnelId) ?? []).find((e) => e.side === side);
      const recent = (endpointId: string | undefined): RuleSample[] =>
        endpointId ? (samplesByEndpoint.get(endpointId) ?? []).filter((s) => s.measuredAt.getTime() >= windowStart) : [];
      const newest = (samples: RuleSample[]) => samples[samples.length - 1];

      const sharedHost = (side: Side) => {
        const hosts = own.map((t) => ends(t.id, side)?.hostname ?? null);
        return own.length > 1 && hosts[0] && hosts.every((h) => h === hosts[0]) ? hosts[0] : null;
      };
      const firstHops = own.map((t) => firstAnsweringHop(newest(recent(ends(t.id, "source")?.id))?.path));
      const redundancy = {
        tunnelCount: own.length,
        sharedGatewayHost: sharedHost("source") ?? sharedHost("avs"),
        sharedUnderlayFirstHop: own.length > 1 && firstHops[0] && firstHops.every((h) => h === firstHops[0]) ? firstHops[0] : null,
      };
      const sidesOf = (tunnelId: string) => {
        const source = ends(tunnelId, "source");
        const avs = ends(tunnelId, "avs");
        return {
          source: { samples: recent(source?.id), lastSampleAt: source?.lastSampleAt ?? null },
          avs: { samples: recent(avs?.id), lastSampleAt: avs?.lastSampleAt ?? null },
        };
      };
      // Two tunnels are an active/standby pair: every tunnel's rules see both, for the pair's rules.
      const pair = own.length > 1 ? { tunnels: own.map((t) => ({ id: t.id, ordinal: t.ordinal, name: t.name, sides: sidesOf(t.id) })) } : null;
      const inputs: RuleInput[] = own.map((tunnel) => {
        const source = ends(tunnel.id, "source");
        const sides = sidesOf(tunnel.id);
        return {
          now,
          tenant: {
            id: tenant.id,
            slug: tenant.slug,
            latencyObjectiveMs: tenant.latencyObjectiveMs,
            gatewayLocation: tenant.gatewayLocation,
            transport: tenant.transport,
            subnet: tenant.subnet,
            plannedCutoverOn: tenant.plannedCutoverOn,
            stretchStartedOn: tenant.stretchStartedOn,
          },
          tunnel: { id: tunnel.id, ordinal: tunnel.ordinal, name: tunnel.name, maintenanceUntil: tunnel.maintenanceUntil },
          redundancy,
          workloadsMostlyIn: workloadsMostlyIn({
            source: newest(sides.source.samples)?.learnedMacs ?? null,
            avs: newest(sides.avs.samples)?.learnedMacs ?? null,
          }),
          sides,
          baselineRttMs: computeBaselineRtt((source ? (hourlyByEndpoint.get(source.id) ?? []) : []).map((r) => r.rtt)),
          thresholds,
          pair,
        };
      });

      const evaluation = evaluateTenant(inputs);
      const active: ActiveWarning[] = (activeByTenant.get(tenant.id) ?? []).map((w) => ({
        id: w.id,
        kind: w.kind,
        dedupeKey: w.dedupeKey,
        tunnelId: w.tunnelId,
        severity: w.severity,
        // Resolved ones were filtered out by the query.
        state: w.state as Exclude<typeof w.state, "resolved">,
        openedAt: w.openedAt,
        lastSeenAt: w.lastSeenAt,
        clearSince: w.clearSince,
      }));
      const changes = reconcileWarnings({ active, evaluation, now, resolveAfterClearMinutes: thresholds.resolveAfterClearMinutes });
      await applyWarningChanges(tx, changes);
      opened += changes.filter((c) => c.op === "open").length;
      resolved += changes.filter((c) => c.op === "resolve").length;

      for (const input of inputs) {
        const status: TunnelStatus = tunnelHealth(input, evaluateTunnel(input), now);
        const tunnel = own.find((t) => t.id === input.tunnel.id)!;
        if (tunnel.status !== status) {
          await tx.update(tunnels).set({ status, statusChangedAt: now }).where(eq(tunnels.id, tunnel.id));
          statusChanges++;
        }
      }
    }
    return { ran: true, tenants: tenantRows.length, tunnels: tunnelRows.length, opened, resolved, statusChanges, skippedTenants };
  });
}

async function applyWarningChanges(db: Database, changes: WarningChange[]): Promise<void> {
  // Before the changes are written (it compares severities with the rows as they are), in the same transaction.
  await enqueueWarningNotifications(db, changes);
  for (const change of changes) {
    if (change.op === "open") await db.insert(warnings).values(change.values);
    else await db.update(warnings).set(change.set).where(eq(warnings.id, change.id));
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
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
