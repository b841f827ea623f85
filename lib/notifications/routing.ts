/**
 * Routing as Alertmanager does it, as pure functions: which rules take a warning, what keeps a
 * warning quiet (acknowledged, silenced, in maintenance, inhibited by its tunnel being down), and
 * what one group says when it is looked at (planFlush). The dispatcher (dispatch.ts) feeds them
 * rows and writes back what they decide.
 *
 * A group is one rule and one tenant. It remembers which warnings it announced as firing, at
 * which severity, and when it last announced firing ones. Looking at it:
 * - firing: the rule's warnings of that tenant that are open and not muted;
 * - new: firing ones never announced, or announced at a lower severity;
 * - resolved: announced ones that have since resolved;
 * - a notification goes out when there is something new, or something resolved (and the rule
 *   sends resolved notifications), or the repeat interval has passed with warnings still firing.
 *   It lists every firing warning (new ones marked) and the resolved ones.
 * A warning announced as firing is always announced resolved (when the rule sends resolved),
 * even if it was silenced in between: a receiver that opened an incident must be able to close it.
 */
import { severityRank, type WarningSeverity, type WarningState } from "@/lib/domain/status";
import { isWarningKind, WARNING_KINDS } from "@/lib/domain/warning-kinds";

export type Rule = {
  id: string;
  /** Owner: null for an operators' rule, else the tenant whose rule it is. */
  tenantId: string | null;
  matchTenantId: string | null;
  minSeverity: WarningSeverity;
  kinds: readonly string[];
  groupWaitSeconds: number;
  repeatIntervalMinutes: number;
  sendResolved: boolean;
};

export type RoutedWarning = {
  id: string;
  tenantId: string;
  tunnelId: string | null;
  kind: string;
  severity: WarningSeverity;
  state: WarningState;
};

export type SilenceRule = {
  id: string;
  ownerTenantId: string | null;
  tenantId: string | null;
  tunnelId: string | null;
  kind: string | null;
  startsAt: Date;
  endsAt: Date;
};

export type MaintenanceRule = { id: string; tenantId: string; tunnelId: string | null; startsAt: Date; endsAt: Date };

/** Whether a rule looks at this tenant's warnings at all: a tenant's rule only at its own. */
export function ruleCoversTenant(rule: Pick<Rule, "tenantId" | "matchTenantId">, tenantId: string): boolean {
  if (rule.tenantId !== null) return rule.tenantId === tenantId;
  return rule.matchTenantId === null || rule.matchTenantId === tenantId;
}

export function ruleTakes(rule: Rule, warning: Pick<RoutedWarning, "tenantId" | "kind" | "severity">): boolean {
  return (
    ruleCoversTenant(rule, warning.tenantId) &&
    severityRank(warning.severity) >= severityRank(rule.minSeverity) &&
    (rule.kinds.length === 0 || rule.kinds.includes(warning.kind))
  );
}

function activeAt(window: { startsAt: Date; endsAt: Date }, now: Date): boolean {
  return window.startsAt.getTime() <= now.getTime() && now.getTime() < window.endsAt.getTime();
}

/**
 * A silence quiets the rules of its owner only: an operators' silence the operators' rules, a
 * tenant's silence that tenant's rules. A customer cannot mute the operators' pager, and an
 * operator's "we know" does not mute the customer's own channels.
 */
export function silenceMatches(silence: SilenceRule, warning: RoutedWarning, rule: Pick<Rule, "tenantId">, now: Date): boolean {
  return (
    silence.ownerTenantId === rule.tenantId &&
    activeAt(silence, now) &&
    (silence.tenantId === null || silence.tenantId === warning.tenantId) &&
    (silence.tunnelId === null || silence.tunnelId === warning.tunnelId) &&
    (silence.kind === null || silence.kind === warning.kind)
  );
}

/** A tenant-wide window covers all of the tenant's warnings; a tunnel's window only that tunnel's. */
export function maintenanceCovers(window: MaintenanceRule, warning: RoutedWarning, now: Date): boolean {
  return activeAt(window, now) && window.tenantId === warning.tenantId && (window.tunnelId === null || window.tunnelId === warning.tunnelId);
}

/** While a tunnel's "tunnel down" warning is active, its other tunnel-level warnings are consequences, not news. */
export function isInhibited(warning: RoutedWarning, active: readonly RoutedWarning[]): boolean {
  if (warning.kind === "tunnel-down" || warning.tunnelId === null) return false;
  if (isWarningKind(warning.kind) && WARNING_KINDS[warning.kind].scope !== "tunnel") return false;
  return active.some((w) => w.kind === "tunnel-down" && w.tunnelId === warning.tunnelId && w.state !== "resolved");
}

export type MuteReason = "acknowledged" | "silenced" | "maintenance" | "inhibited";

export type MuteFacts = { silences: readonly SilenceRule[]; windows: readonly MaintenanceRule[]; active: readonly RoutedWarning[] };

/** Why this warning notifies nobody through this rule right now, or null when it may. */
export function muteReason(warning: RoutedWarning, rule: Rule, facts: MuteFacts, now: Date): { reason: MuteReason; id?: string } | null {
  if (warning.state === "acknowledged") return { reason: "acknowledged" };
  const silence = facts.silences.find((s) => silenceMatches(s, warning, rule, now));
  if (silence) return { reason: "silenced", id: silence.id };
  const window = facts.windows.find((w) => maintenanceCovers(w, warning, now));
  if (window) return { reason: "maintenance", id: window.id };
  if (isInhibited(warning, facts.active)) return { reason: "inhibited" };
  return null;
}

export type GroupState = { announced: Readonly<Record<string, WarningSeverity>>; lastFiringAt: Date | null };

export type FlushPlan = {
  notify: null | { event: "firing" | "repeat" | "resolved"; firing: { warning: RoutedWarning; isNew: boolean }[]; resolved: string[] };
  next: { announced: Record<string, WarningSeverity>; lastFiringAt: Date | null; flushAt: Date | null };
};

/**
 * What a group says now. `warnings` holds the tenant's active warnings and any the group
 * announced (resolved ones included); an announced id with no row (deleted) counts as resolved.
 */
export function planFlush(input: { rule: Rule; group: GroupState; warnings: readonly RoutedWarning[]; facts: MuteFacts; now: Date }): FlushPlan {
  const { rule, group, now } = input;
  const byId = new Map(input.warnings.map((w) => [w.id, w]));
  const candidates = input.warnings.filter((w) => w.state !== "resolved" && ruleTakes(rule, w));
  const muted = candidates.map((w) => ({ w, mute: muteReason(w, rule, input.facts, now) }));
  const firing = muted.filter((m) => m.mute === null).map((m) => m.w);
  const isNew = (w: RoutedWarning) => !(w.id in group.announced) || severityRank(w.severity) > severityRank(group.announced[w.id]!);
  const resolved = Object.keys(group.announced).filter((id) => (byId.get(id)?.state ?? "resolved") === "resolved");

  const repeatMs = rule.repeatIntervalMinutes * 60_000;
  const repeatDue = firing.length > 0 && group.lastFiringAt !== null && now.getTime() >= group.lastFiringAt.getTime() + repeatMs;
  const anyNew = firing.some(isNew);
  const tellResolved = resolved.length > 0 && rule.sendResolved;

  const announced: Record<string, WarningSeverity> = { ...group.announced };
  for (const id of resolved) delete announced[id];

  let notify: FlushPlan["notify"] = null;
  if (anyNew || tellResolved || repeatDue) {
    const event = anyNew ? "firing" : firing.length > 0 ? (tellResolved ? "firing" : "repeat") : "resolved";
    notify = { event, firing: firing.map((w) => ({ warning: w, isNew: isNew(w) })), resolved: tellResolved ? resolved : [] };
    for (const w of firing) announced[w.id] = w.severity;
  }
  const lastFiringAt = firing.length === 0 ? null : notify ? now : group.lastFiringAt;

  // When to look again: the next repeat while something fires; the end of the silence or
  // window that quiets a warning (it may then fire); otherwise only when a warning changes.
  const wakeTimes: number[] = [];
  if (lastFiringAt) wakeTimes.push(lastFiringAt.getTime() + repeatMs);
  for (const { mute } of muted) {
    if (mute?.reason === "silenced") wakeTimes.push(input.facts.silences.find((s) => s.id === mute.id)!.endsAt.getTime());
    if (mute?.reason === "maintenance") wakeTimes.push(input.facts.windows.find((x) => x.id === mute.id)!.endsAt.getTime());
  }
  const flushAt = wakeTimes.length ? new Date(Math.max(now.getTime(), Math.min(...wakeTimes))) : null;
  return { notify, next: { announced, lastFiringAt, flushAt } };
}
