/**
 * What the active/standby pair's rules share: each end's role reports, read from its recent
 * samples, and when a state of the whole pair began by the agents' own account.
 *
 * Every end reports its role each time its agent runs (every 30 s), with the moment it took that
 * role (`since`). A state of the pair (both active, no path, a standby in fault) therefore holds,
 * per the agents, from the latest `since` of the roles that make it up to the earliest report
 * that still shows it; it counts once that span reaches `pairSettleSeconds`, since a failover
 * passes through such states for a few seconds.
 */
import type { PairEndReport } from "@/lib/domain/pair-role";
import { SIDE_NAME, SIDES, type Side } from "@/lib/domain/tenant-options";
import { staleAfterMs } from "@/lib/telemetry/thresholds";
import type { PairTunnelInput, RuleInput, SideInput } from "./types";

/** Read-only, and frozen at run time: the four pair rules of both tunnels share one set of views. */
export type EndView = {
  /** Nothing arrived from this end's agent for a few intervals. */
  readonly silent: boolean;
  /** Its newest role report, or null when it has sent none in the window. */
  readonly latest: Readonly<PairEndReport> | null;
  /** Every role report in the window, oldest first. */
  readonly reports: readonly Readonly<PairEndReport>[];
  /** It reports, but none of its recent samples carries a role: its agent runs without the pair's settings. */
  readonly unpaired: boolean;
};

export type TunnelView = { readonly id: string; readonly ordinal: number; readonly name: string; readonly ends: Readonly<Record<Side, EndView>> };

function endView(input: RuleInput, side: SideInput): EndView {
  const now = input.now.getTime();
  const from = now - input.thresholds.windowMinutes * 60_000;
  let last = side.lastSampleAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  for (const s of side.samples) last = Math.max(last, s.measuredAt.getTime());
  const silent = !Number.isFinite(last) || now - last > staleAfterMs(input.thresholds);
  const recent = side.samples.filter((s) => s.measuredAt.getTime() > from && s.measuredAt.getTime() <= now).sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
  const reports = recent.flatMap((s): PairEndReport[] =>
    s.pairRole && s.pairSince ? [Object.freeze({ role: s.pairRole, since: s.pairSince, reason: s.pairReason ?? "unknown", at: s.measuredAt })] : [],
  );
  return Object.freeze({ silent, latest: silent ? null : (reports.at(-1) ?? null), reports: Object.freeze(reports), unpaired: !silent && recent.length > 0 && reports.length === 0 });
}

/**
 * The pair's tunnels as the rules see them, in tunnel order; empty for a tenant with one tunnel.
 * Four rules ask for them from each of the pair's two tunnels, which share one `pair` (and its
 * clock and thresholds): the views are made once per pair, not eight times.
 */
export function pairTunnels(input: RuleInput): readonly TunnelView[] {
  const pair = input.pair;
  if (!pair || pair.tunnels.length < 2) return [];
  const kept = views.get(pair);
  if (kept && kept.now === input.now.getTime() && kept.thresholds === input.thresholds) return kept.tunnels;
  const tunnels = Object.freeze(
    [...pair.tunnels]
      .sort((a, b) => a.ordinal - b.ordinal)
      // Frozen through, not only the list (the tunnels, their ends, each end's reports and every
      // report): a rule that sorted an end's reports in place, say, would otherwise change them
      // for every rule after it, on both tunnels.
      .map((t: PairTunnelInput): TunnelView => Object.freeze({ id: t.id, ordinal: t.ordinal, name: t.name, ends: Object.freeze({ source: endView(input, t.sides.source), avs: endView(input, t.sides.avs) }) })),
  );
  views.set(pair, { now: input.now.getTime(), thresholds: input.thresholds, tunnels });
  return tunnels;
}

const views = new WeakMap<NonNullable<RuleInput["pair"]>, { now: number; thresholds: RuleInput["thresholds"]; tunnels: readonly TunnelView[] }>();

/**
 * How long the agents have agreed on a state made of these reports: from the latest `since`
 * (the last change that made it) to the earliest report (the last moment all of them still
 * showed it). Negative when the reports do not overlap.
 */
export function agreedSpanMs(reports: readonly PairEndReport[]): number {
  if (reports.length === 0) return 0;
  const changed = Math.max(...reports.map((r) => r.since.getTime()));
  const seen = Math.min(...reports.map((r) => r.at.getTime()));
  return seen - changed;
}

export function settled(input: RuleInput, reports: readonly PairEndReport[]): boolean {
  return agreedSpanMs(reports) >= input.thresholds.pairSettleSeconds * 1000;
}

/** "tunnel primary (#1)". */
export function nameTunnel(t: { ordinal: number; name: string }): string {
  return `tunnel ${t.name} (#${t.ordinal})`;
}

/** "the source gateway is active, the AVS edge bridge standby". */
export function describeEnds(t: TunnelView): string {
  return SIDES.map((side) => {
    const end = t.ends[side];
    const what = end.silent ? "silent" : end.latest ? end.latest.role : "without a role";
    return `the ${SIDE_NAME[side]} ${what}`;
  }).join(", ");
}

/** "10:02:13 UTC". */
export function clock(at: Date): string {
  return `${at.toISOString().slice(11, 19)} UTC`;
}
