/**
 * The notification vocabulary, defined once: channel kinds, what a delivery can be about, how a
 * delivery stands, and the bounds every layer (forms, routing, sender, docs) agrees on. The
 * schema's enums take their values from here.
 */
import type { StatusStyle } from "./status";
import { keysOf } from "./keys-of";
import { isWarningKind, type WarningKind } from "./warning-kinds";

export const CHANNEL_KIND = {
  webhook: { label: "Webhook", description: "Signed JSON to an HTTPS endpoint of yours" },
  teams: { label: "Microsoft Teams", description: "An Adaptive Card through a Teams Workflows (or incoming-webhook) URL" },
  email: { label: "E-mail", description: "Plain text and HTML over SMTP" },
} as const;
export type ChannelKind = keyof typeof CHANNEL_KIND;
export const CHANNEL_KINDS = keysOf(CHANNEL_KIND);

/** What one delivery is about: a group's warnings firing (first time or again), resolved ones, or a test. */
export const DELIVERY_EVENT = {
  firing: { label: "Firing", description: "New or escalated warnings in a group" },
  repeat: { label: "Still firing", description: "The group's warnings are still open after the repeat interval" },
  resolved: { label: "Resolved", description: "Every warning the group announced has resolved" },
  test: { label: "Test", description: "Sent from the channel's Send test button" },
} as const;
export type DeliveryEvent = keyof typeof DELIVERY_EVENT;
export const DELIVERY_EVENTS = keysOf(DELIVERY_EVENT);

export const DELIVERY_STATUS = {
  pending: { label: "Pending", symbol: "…", className: "bg-sky-100 text-sky-900", description: "Waiting for its next attempt" },
  delivered: { label: "Delivered", symbol: "✓", className: "bg-green-100 text-green-900", description: "The receiver accepted it" },
  failed: { label: "Failed", symbol: "✕", className: "bg-red-100 text-red-900", description: "The receiver refused it for good" },
  expired: { label: "Expired", symbol: "⌛", className: "bg-amber-100 text-amber-900", description: "Not delivered within the time limit" },
} as const satisfies Record<string, StatusStyle>;
export type DeliveryStatus = keyof typeof DELIVERY_STATUS;
export const DELIVERY_STATUSES = keysOf(DELIVERY_STATUS);

/** SMTP connection security, as mail servers offer it. */
export const SMTP_SECURITY = {
  starttls: "STARTTLS (usually port 587)",
  tls: "TLS from the start (usually port 465)",
  none: "None (loopback only, on the embedded defaults)",
} as const;
export type SmtpSecurity = keyof typeof SMTP_SECURITY;

/**
 * The bounds of delivery and grouping, with their reasons (docs/decisions.md repeats them).
 * - maxAgeMs: a notification not delivered within 6 hours expires with the last answer as its
 *   reason. A receiver down for an hour still gets everything; one down for a day would get a
 *   flood of stale news and should read the console instead.
 * - backoff: 10 s doubling to 5 min, so a receiver that comes back is caught up within 5 min.
 * - maxRetryAfterMs: a 429's Retry-After is honoured up to an hour (a longer one still expires).
 * - leaseMs: a claimed delivery is another instance's to take only after this; it is far longer
 *   than one attempt (requestTimeoutMs), so a live sender never loses its claim mid-send.
 */
export const DELIVERY_LIMITS = {
  maxAgeMs: 6 * 3600_000,
  backoffBaseMs: 10_000,
  backoffMaxMs: 5 * 60_000,
  maxRetryAfterMs: 3600_000,
  requestTimeoutMs: 10_000,
  leaseMs: 60_000,
  /** What the delivery log keeps of a receiver's answer. */
  answerChars: 500,
  /** How long the delivery log keeps a finished delivery (and its attempts). */
  logRetentionMs: 30 * 24 * 3600_000,
  /** How long a processed warning event is kept (for looking into a dispatch, not needed after). */
  eventRetentionMs: 24 * 3600_000,
} as const;

/** Routing rules' timers: Alertmanager's group_wait and repeat_interval, with its defaults. */
export const ROUTE_TIMING = {
  groupWaitSeconds: { min: 0, max: 3600, default: 30 },
  repeatIntervalMinutes: { min: 5, max: 7 * 24 * 60, default: 240 },
} as const;

/** At most this many recipients per e-mail channel, and this long a silence or maintenance window. */
export const NOTIFICATION_BOUNDS = { emailRecipients: 20, silenceMaxDays: 30, maintenanceMaxDays: 30 } as const;

/**
 * What to do about each kind, for the Teams card and the e-mail: one line an on-call person can
 * act on. A kind this release does not know (a newer rule during a rolling upgrade) gets the
 * generic advice.
 */
const REMEDIES: Record<WarningKind, string> = {
  "tunnel-down": "Check both gateways are up and the underlay between them passes UDP 4789 (and IKE/ESP for a VPN).",
  flapping: "Look for an unstable underlay link or a gateway restarting; compare both ends' logs around each drop.",
  stale: "Check the telemetry agents on both ends are running and can reach the console.",
  "latency-objective": "Compare the forward and reverse paths on the tenant page; ask the underlay provider about the hop that grew.",
  "latency-baseline": "Latency is far above this tunnel's own week: look for a path change or congestion on the underlay.",
  jitter: "Look for congestion or a queueing change on the underlay path.",
  loss: "Look for congestion, a failing link or a policer on the underlay path.",
  "path-mtu": "Raise the underlay MTU or lower the workloads' MTU and clamp TCP MSS, as the tenant's MTU budget says.",
  "asymmetric-routing": "Make the forward and reverse underlay paths cross the same transport; check route preferences at both sites.",
  "broadcast-storm": "Find the loop or the flooding host on the tenant's VLAN; storm control is containing it.",
  "mac-flood": "Find the host sending from many MAC addresses on the tenant's VLAN.",
  tromboning: "Move the default gateway to the side where most workloads now are, or plan the cut-over.",
  "single-point-of-failure": "Add a second tunnel on a separate gateway and underlay path.",
  "stretch-past-cutover": "Plan the cut-over, or move the planned date in the tenant's settings.",
  "pair-both-active": "Two bridges carry the VLAN at once (a loop): stop the standby's bridge now, then check the pair's VRRP between the gateways.",
  "pair-no-active-path": "Neither tunnel bridges the VLAN: check both gateways' VRRP state and bring one tunnel up.",
  "pair-standby-unhealthy": "The standby could not take over: repair its tunnel before the active one fails.",
  "pair-failover": "The standby took over: find out why the active tunnel failed before failing back.",
};

export function remedyFor(kind: string): string {
  return isWarningKind(kind) ? REMEDIES[kind] : "Open the warning in the console for its details.";
}
