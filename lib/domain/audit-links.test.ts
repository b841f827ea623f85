import { describe, expect, it } from "vitest";
import { auditSubjectLink } from "./audit-links";

const event = (entityType: string, tenantSlug: string | null = null, entityId = "3f1c") => ({ entityType, entityId, tenantSlug });

describe("auditSubjectLink", () => {
  it("links a tenant's own changes into its page, at the section that changed", () => {
    expect(auditSubjectLink(event("tenant", "contoso"), "operator")).toEqual({ href: "/t/contoso", label: "Tenant" });
    expect(auditSubjectLink(event("tunnel", "contoso", "9a2b"), "operator")).toEqual({ href: "/t/contoso#tunnel-9a2b-heading", label: "Tunnel" });
    expect(auditSubjectLink(event("segment", "contoso"), "tenant")?.href).toBe("/t/contoso#segment-heading");
    expect(auditSubjectLink(event("stretch", "contoso"), "tenant")?.href).toBe("/t/contoso#stretch");
    expect(auditSubjectLink(event("tunnel-endpoint", "contoso"), "tenant")?.href).toBe("/t/contoso#agent-tokens-heading");
    expect(auditSubjectLink(event("notification-channel", "contoso", "c1"), "tenant")?.href).toBe("/t/contoso/notifications/channels/c1");
  });

  it("links fleet-wide things to their admin page", () => {
    expect(auditSubjectLink(event("vlan-pool"), "operator")).toEqual({ href: "/admin/pools", label: "VLAN pool" });
    expect(auditSubjectLink(event("api-token"), "operator")?.href).toBe("/admin/settings/api-tokens");
    expect(auditSubjectLink(event("noc-display"), "operator")?.href).toBe("/admin/access");
    expect(auditSubjectLink(event("reserved-range"), "operator")?.href).toBe("/admin/clouds");
    expect(auditSubjectLink(event("notification-channel", null, "c2"), "operator")?.href).toBe("/admin/settings/notifications/channels/c2");
  });

  it("gives a tenant's users no link into the admin pages, which would refuse them", () => {
    expect(auditSubjectLink(event("api-token", "contoso"), "tenant")).toBeNull();
    expect(auditSubjectLink(event("membership", "contoso"), "tenant")).toBeNull();
    expect(auditSubjectLink(event("vlan-pool"), "tenant")).toBeNull();
  });

  it("has no link for a tenant thing without its tenant, nor for an unknown kind", () => {
    expect(auditSubjectLink(event("tunnel", null), "operator")).toBeNull();
    expect(auditSubjectLink(event("something-new", "contoso"), "operator")).toBeNull();
  });

  it("escapes an id so it cannot leave the path", () => {
    expect(auditSubjectLink(event("notification-channel", "contoso", "../../admin?x=1"), "tenant")?.href).toBe("/t/contoso/notifications/channels/..%2F..%2Fadmin%3Fx%3D1");
  });
});
