/**
 * Every status the console shows, with its label and colour, in one table per kind so the admin
 * portal, the tenant view and the NOC wall never disagree. Colour is never the only signal:
 * each status also has a word and a symbol.
 */
import { keysOf } from "./keys-of";

export type StatusStyle = { label: string; symbol: string; className: string; description: string };

export const TUNNEL_STATUS = {
  operational: {
    label: "Operational",
    symbol: "●",
    className: "bg-status-operational text-white",
    description: "Both ends report, latency and loss within objective",
  },
  degraded: {
    label: "Degraded",
    symbol: "▲",
    className: "bg-status-degraded text-white",
    description: "Up, with a latency, loss or MTU warning",
  },
  down: { label: "Down", symbol: "✕", className: "bg-status-down text-white", description: "No traffic crosses the tunnel" },
  stale: {
    label: "Stale",
    symbol: "?",
    className: "bg-status-stale text-white",
    description: "No sample received for several intervals",
  },
  maintenance: {
    label: "Maintenance",
    symbol: "◆",
    className: "bg-status-maintenance text-white",
    description: "Warnings suppressed during planned work",
  },
} as const satisfies Record<string, StatusStyle>;

export type TunnelStatus = keyof typeof TUNNEL_STATUS;
export const TUNNEL_STATUSES = keysOf(TUNNEL_STATUS);

export const TENANT_STATE = {
  onboarding: { label: "Onboarding", symbol: "…", className: "bg-sky-100 text-sky-900", description: "Segment being provisioned" },
  active: { label: "Active", symbol: "●", className: "bg-green-100 text-green-900", description: "Stretched and in service" },
  offboarding: { label: "Offboarding", symbol: "↓", className: "bg-amber-100 text-amber-900", description: "Segment being removed" },
  offboarded: { label: "Offboarded", symbol: "○", className: "bg-slate-200 text-slate-700", description: "History only" },
} as const satisfies Record<string, StatusStyle>;
export type TenantState = keyof typeof TENANT_STATE;
export const TENANT_STATES = keysOf(TENANT_STATE);

export const SEGMENT_STATE = {
  pending: { label: "Pending", symbol: "…", className: "bg-slate-100 text-slate-800", description: "Not yet requested from Azure" },
  provisioning: { label: "Provisioning", symbol: "↻", className: "bg-sky-100 text-sky-900", description: "Azure is creating it" },
  ready: { label: "Ready", symbol: "●", className: "bg-green-100 text-green-900", description: "Present in NSX-T" },
  updating: { label: "Updating", symbol: "↻", className: "bg-sky-100 text-sky-900", description: "Azure is changing its gateway (cut-over or rollback)" },
  failed: { label: "Failed", symbol: "✕", className: "bg-red-100 text-red-900", description: "The last attempt failed" },
  deleting: { label: "Deleting", symbol: "↓", className: "bg-amber-100 text-amber-900", description: "Azure is removing it" },
  deleted: { label: "Deleted", symbol: "○", className: "bg-slate-200 text-slate-700", description: "Gone from Azure" },
  drifted: { label: "Drifted", symbol: "!", className: "bg-orange-100 text-orange-900", description: "Changed outside the console" },
} as const satisfies Record<string, StatusStyle>;
export type SegmentState = keyof typeof SEGMENT_STATE;
export const SEGMENT_STATES = keysOf(SEGMENT_STATE);

/** The VLAN pool map's cells. Colours differ enough in lightness to read in greyscale too. */
export const VLAN_STATE = {
  free: { label: "Free", symbol: "", className: "bg-white text-slate-400", description: "Can be allocated" },
  allocated: { label: "Allocated", symbol: "●", className: "bg-sky-700 text-white", description: "Held by a tenant" },
  quarantined: { label: "Quarantined", symbol: "◐", className: "bg-amber-400 text-black", description: "Released; waiting out its quarantine" },
  reserved: { label: "Reserved", symbol: "×", className: "bg-slate-500 text-white", description: "Never handed out" },
  outside: { label: "Outside pool", symbol: "", className: "bg-slate-100 text-slate-300", description: "Not in this pool's ranges" },
} as const satisfies Record<string, StatusStyle>;
export type VlanState = keyof typeof VLAN_STATE;

/**
 * What the database records of a VLAN it handed out: held, waiting out its quarantine, or free
 * again (the row stays as history). The pool map's "free", "reserved" and "outside" are derived.
 */
export const VLAN_ALLOCATION_STATES = ["allocated", "quarantined", "released"] as const;

/** Warning severities, worst last in this table; `rank` orders them (higher is worse). */
export const WARNING_SEVERITY = {
  info: { label: "Info", symbol: "ℹ", className: "bg-slate-600 text-white", description: "Worth knowing; nothing is broken", rank: 0 },
  warning: { label: "Warning", symbol: "▲", className: "bg-status-degraded text-white", description: "Degraded or at risk; look soon", rank: 1 },
  critical: { label: "Critical", symbol: "✕", className: "bg-status-down text-white", description: "Broken or about to be; act now", rank: 2 },
} as const satisfies Record<string, StatusStyle & { rank: number }>;
export type WarningSeverity = keyof typeof WARNING_SEVERITY;
export const WARNING_SEVERITIES = keysOf(WARNING_SEVERITY);

export function severityRank(severity: WarningSeverity): number {
  return WARNING_SEVERITY[severity].rank;
}
export function maxSeverity(a: WarningSeverity, b: WarningSeverity): WarningSeverity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** A warning's lifecycle: opened by the rules, acknowledged by a person, resolved by the rules. */
export const WARNING_STATE = {
  open: { label: "Open", symbol: "●", className: "bg-red-100 text-red-900", description: "Raised and not yet acknowledged" },
  acknowledged: { label: "Acknowledged", symbol: "✓", className: "bg-amber-100 text-amber-900", description: "Someone is on it" },
  resolved: { label: "Resolved", symbol: "○", className: "bg-slate-200 text-slate-700", description: "The condition cleared" },
} as const satisfies Record<string, StatusStyle>;
export type WarningState = keyof typeof WARNING_STATE;
export const WARNING_STATES = keysOf(WARNING_STATE);

/**
 * What one end of a tunnel in an active/standby pair reports doing (the agent's `pair.role`):
 * forwarding the tenant's frames, standing by ready to take over, or unable to take over.
 */
export const PAIR_END_ROLE = {
  active: { label: "Active", symbol: "▶", className: "bg-sky-700 text-white", description: "This end forwards the tenant's frames" },
  standby: { label: "Standby", symbol: "◇", className: "bg-slate-200 text-slate-800", description: "Ready to take over; forwards nothing" },
  fault: { label: "Fault", symbol: "✕", className: "bg-red-100 text-red-900", description: "Cannot take over until its fault clears" },
} as const satisfies Record<string, StatusStyle>;
export type PairEndRole = keyof typeof PAIR_END_ROLE;
export const PAIR_END_ROLES = keysOf(PAIR_END_ROLE);

/**
 * What a tunnel of a pair does, from its two ends' reports (lib/domain/pair-role.ts): the same
 * words on the tenant page and the NOC wall.
 */
export const TUNNEL_PAIR_ROLE = {
  carrying: { label: "Carries traffic", symbol: "▶", className: "bg-sky-700 text-white", description: "Both ends are active: this tunnel bridges the VLAN" },
  standby: { label: "Standby", symbol: "◇", className: "bg-slate-200 text-slate-800", description: "Both ends stand by, ready to take over" },
  half: { label: "Half active", symbol: "◐", className: "bg-amber-400 text-black", description: "One end is active and the other is not: nothing crosses" },
  fault: { label: "Cannot take over", symbol: "✕", className: "bg-red-100 text-red-900", description: "An end is in fault: the pair has no standby" },
  unknown: { label: "Role unknown", symbol: "?", className: "bg-slate-100 text-slate-700", description: "No recent role report from its agents" },
} as const satisfies Record<string, StatusStyle>;
export type TunnelPairRole = keyof typeof TUNNEL_PAIR_ROLE;

/**
 * Where a tenant's stretch stands (lib/domain/stretch.ts has the moves between them). A stretch is
 * temporary: extending → cut-over planned → cut over (the Tier-1 routes the subnet, the tunnels
 * stay for stragglers) → unextended (no tunnels; the segment stays, routed). The two "-ing"
 * stages last while Azure moves the gateway.
 */
export const STRETCH_STAGE = {
  extending: { label: "Extending", symbol: "⇄", className: "bg-sky-100 text-sky-900", description: "The VLAN is stretched; the default gateway is at the source site" },
  "cutover-planned": { label: "Cut-over planned", symbol: "◷", className: "bg-indigo-100 text-indigo-900", description: "The gateway address and Tier-1 are chosen; pre-checks decide when" },
  "cutting-over": { label: "Cutting over", symbol: "↻", className: "bg-amber-100 text-amber-900", description: "Azure is giving the segment its gateway on the Tier-1" },
  "cut-over": { label: "Cut over", symbol: "▶", className: "bg-green-100 text-green-900", description: "The Tier-1 routes the subnet; the tunnels stay up for stragglers" },
  "rolling-back": { label: "Rolling back", symbol: "↺", className: "bg-amber-100 text-amber-900", description: "Azure is taking the gateway off the segment" },
  unextended: { label: "Unextended", symbol: "■", className: "bg-slate-200 text-slate-800", description: "No tunnels; the segment stays as a routed NSX-T segment" },
} as const satisfies Record<string, StatusStyle>;
export type StretchStage = keyof typeof STRETCH_STAGE;
export const STRETCH_STAGES = keysOf(STRETCH_STAGE);

/** A pre-check's verdict. Anything but a pass needs a typed reason to proceed. */
export const CHECK_OUTCOME = {
  pass: { label: "Pass", symbol: "✓", className: "bg-green-100 text-green-900", description: "The evidence supports going ahead" },
  warn: { label: "Warn", symbol: "▲", className: "bg-amber-100 text-amber-900", description: "Risky or unproven; proceed only with a reason" },
  fail: { label: "Fail", symbol: "✕", className: "bg-red-100 text-red-900", description: "The evidence says stop; proceed only with a reason" },
} as const satisfies Record<string, StatusStyle>;
export type CheckOutcome = keyof typeof CHECK_OUTCOME;
export const CHECK_OUTCOMES = keysOf(CHECK_OUTCOME);
