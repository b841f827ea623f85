/**
 * The channel-neutral notification: what a group says at one moment. It is the webhook's JSON
 * body as it stands (a stable, documented schema: docs/notifications.md), and the Teams card and
 * the e-mail are rendered from it. It is built when the dispatcher decides to notify and stored
 * with the delivery, so every retry sends the same bytes.
 */
import type { DeliveryEvent } from "@/lib/domain/notifications";
import { remedyFor } from "@/lib/domain/notifications";
import { WARNING_SEVERITY, type WarningSeverity, type WarningState } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";

export const NOTIFICATION_SCHEMA = "bridgehead.notification/v1";

export type NotificationWarning = {
  id: string;
  kind: string;
  kindLabel: string;
  severity: WarningSeverity;
  state: WarningState;
  tenant: { slug: string; name: string };
  /** Null for a tenant-wide warning (tromboning, single point of failure, cut-over date). */
  tunnel: { id: string; name: string } | null;
  openedAt: string;
  resolvedAt: string | null;
  summary: string;
  /** What to do, in one line. */
  remedy: string;
  /** The tenant's page in the console, at its warnings. */
  url: string;
  /** First announced (or announced at a higher severity) in this notification. */
  isNew: boolean;
};

export type Notification = {
  schema: typeof NOTIFICATION_SCHEMA;
  /** The delivery's id; the same in the Bridgehead-Delivery header. Receivers may de-duplicate on it. */
  id: string;
  event: DeliveryEvent;
  /** firing while any warning of the group is firing, resolved once none is. */
  status: "firing" | "resolved";
  title: string;
  /** The tenant the group is about; null only for a test. */
  tenant: { slug: string; name: string } | null;
  /** The routing rule and tenant that make up the group (Alertmanager's group key). */
  groupKey: string | null;
  firing: NotificationWarning[];
  resolved: NotificationWarning[];
  consoleUrl: string;
  createdAt: string;
};

export type WarningFacts = {
  id: string;
  kind: string;
  severity: WarningSeverity;
  state: WarningState;
  tenantSlug: string;
  tenantName: string;
  tunnelId: string | null;
  tunnelName: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  message: string;
};

export function tenantWarningsUrl(consoleUrl: string, slug: string): string {
  return `${consoleUrl}/t/${encodeURIComponent(slug)}#warnings-heading`;
}

export function describeWarning(w: WarningFacts, consoleUrl: string, isNew: boolean): NotificationWarning {
  return {
    id: w.id,
    kind: w.kind,
    kindLabel: warningKindLabel(w.kind),
    severity: w.severity,
    state: w.state,
    tenant: { slug: w.tenantSlug, name: w.tenantName },
    tunnel: w.tunnelId ? { id: w.tunnelId, name: w.tunnelName ?? "" } : null,
    openedAt: w.openedAt.toISOString(),
    resolvedAt: w.resolvedAt?.toISOString() ?? null,
    summary: w.message,
    remedy: remedyFor(w.kind),
    url: tenantWarningsUrl(consoleUrl, w.tenantSlug),
    isNew,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function buildNotification(input: {
  id: string;
  event: Exclude<DeliveryEvent, "test">;
  tenant: { slug: string; name: string };
  groupKey: string;
  firing: NotificationWarning[];
  resolved: NotificationWarning[];
  consoleUrl: string;
  now: Date;
}): Notification {
  const status = input.firing.length > 0 ? "firing" : "resolved";
  const worst = input.firing.reduce<WarningSeverity | null>(
    (acc, w) => (acc === null || WARNING_SEVERITY[w.severity].rank > WARNING_SEVERITY[acc].rank ? w.severity : acc),
    null,
  );
  const title =
    status === "firing"
      ? `${WARNING_SEVERITY[worst!].label}: ${plural(input.firing.length, "warning")} ${input.event === "repeat" ? "still open" : "open"} for ${input.tenant.name}` +
        (input.resolved.length ? `, ${input.resolved.length} resolved` : "")
      : `Resolved: ${plural(input.resolved.length, "warning")} for ${input.tenant.name}`;
  return {
    schema: NOTIFICATION_SCHEMA,
    id: input.id,
    event: input.event,
    status,
    title,
    tenant: input.tenant,
    groupKey: input.groupKey,
    firing: input.firing,
    resolved: input.resolved,
    consoleUrl: input.consoleUrl,
    createdAt: input.now.toISOString(),
  };
}

/** What "Send test" sends: no warnings, a title that says what it is. */
export function buildTestNotification(input: { id: string; channelName: string; consoleUrl: string; now: Date }): Notification {
  return {
    schema: NOTIFICATION_SCHEMA,
    id: input.id,
    event: "test",
    status: "resolved",
    title: `Test from Bridgehead: channel “${input.channelName}” works`,
    tenant: null,
    groupKey: null,
    firing: [],
    resolved: [],
    consoleUrl: input.consoleUrl,
    createdAt: input.now.toISOString(),
  };
}

/** The worst severity among a notification's firing warnings; null when none fires. */
export function worstFiring(notification: Notification): WarningSeverity | null {
  let worst: WarningSeverity | null = null;
  for (const w of notification.firing) if (worst === null || WARNING_SEVERITY[w.severity].rank > WARNING_SEVERITY[worst].rank) worst = w.severity;
  return worst;
}
