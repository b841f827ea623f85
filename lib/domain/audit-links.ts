/**
 * Where an audit event's subject lives in the console, so the trail links each change to what
 * it changed. Pure: from the event's entity type and id and the tenant it belongs to. A tenant's
 * own users get links only into their tenant's pages; the admin pages would refuse them.
 */
export type AuditSubject = { entityType: string; entityId: string; tenantSlug: string | null };
export type AuditLink = { href: string; label: string };

const LABELS: Record<string, string> = {
  tenant: "Tenant",
  "tenant-import": "Tenant import",
  stretch: "Stretch",
  segment: "Segment",
  tunnel: "Tunnel",
  "tunnel-endpoint": "Agent token",
  warning: "Warning",
  "vlan-pool": "VLAN pool",
  "reserved-range": "Reserved range",
  subscription: "Private clouds",
  "api-token": "API token",
  "scrape-token": "Scrape token",
  "noc-display": "NOC display",
  membership: "Membership",
  user: "User",
  "notification-channel": "Channel",
  "notification-route": "Notification rule",
  "notification-host": "Allowed host",
  silence: "Silence",
  "maintenance-window": "Maintenance",
  emulator: "Emulator",
};

export function auditSubjectLabel(entityType: string): string {
  return LABELS[entityType] ?? entityType;
}

export function auditSubjectLink(event: AuditSubject, audience: "operator" | "tenant"): AuditLink | null {
  const label = auditSubjectLabel(event.entityType);
  const tenantPage = (suffix = "") => (event.tenantSlug ? { href: `/t/${encodeURIComponent(event.tenantSlug)}${suffix}`, label } : null);
  const id = encodeURIComponent(event.entityId);
  switch (event.entityType) {
    case "tenant":
      return tenantPage();
    case "stretch":
      return tenantPage("#stretch");
    case "segment":
      return tenantPage("#segment-heading");
    case "tunnel":
      return tenantPage(`#tunnel-${id}-heading`);
    case "tunnel-endpoint":
      return tenantPage("#agent-tokens-heading");
    case "warning":
      return event.tenantSlug ? tenantPage() : operatorOnly("/admin/warnings");
    case "notification-channel":
      return event.tenantSlug ? tenantPage(`/notifications/channels/${id}`) : operatorOnly(`/admin/settings/notifications/channels/${id}`);
    case "notification-route":
    case "silence":
    case "maintenance-window":
      return event.tenantSlug ? tenantPage("/notifications") : operatorOnly("/admin/settings/notifications");
    case "notification-host":
      return operatorOnly("/admin/settings/notifications");
    case "vlan-pool":
      return operatorOnly("/admin/pools");
    case "reserved-range":
    case "subscription":
      return operatorOnly("/admin/clouds");
    case "api-token":
      return operatorOnly("/admin/settings/api-tokens");
    case "scrape-token":
      return operatorOnly("/admin/settings/metrics");
    case "noc-display":
    case "membership":
    case "user":
      return operatorOnly("/admin/access");
    case "tenant-import":
      return operatorOnly("/admin/tenants/import");
    case "emulator":
      return operatorOnly("/admin/emulator");
    default:
      return null;
  }

  function operatorOnly(href: string): AuditLink | null {
    return audience === "operator" ? { href, label } : null;
  }
}
