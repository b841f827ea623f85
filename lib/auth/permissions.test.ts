import { describe, expect, it } from "vitest";
import { canAccessTenant, couldHoldPermission, hasPermission, homePathFor, type Permission, type Principal } from "./permissions";

const user = (over: Partial<Extract<Principal, { kind: "user" }>>): Principal => ({
  kind: "user",
  userId: "u",
  signInName: "u@example.com",
  name: "U",
  roles: [],
  tenant: null,
  ...over,
});
const admin = user({ roles: ["admin"] });
const noc = user({ roles: ["noc-viewer"] });
const display: Principal = { kind: "display", displayId: "d", name: "Wall 1" };
const tenantAdminA = user({ tenant: { id: "A", slug: "a", role: "tenant-admin" } });
const tenantViewerA = user({ tenant: { id: "A", slug: "a", role: "tenant-viewer" } });
const nobody = user({});

describe("permissions", () => {
  it.each([
    ["admin", admin, { fleetRead: true, portalRead: true, fleetWrite: true, readA: true, writeA: true, readB: true, secretsA: true, secretsB: true }],
    ["NOC viewer", noc, { fleetRead: true, portalRead: true, fleetWrite: false, readA: true, writeA: false, readB: true, secretsA: false, secretsB: false }],
    ["NOC display", display, { fleetRead: true, portalRead: false, fleetWrite: false, readA: false, writeA: false, readB: false, secretsA: false, secretsB: false }],
    ["tenant A admin", tenantAdminA, { fleetRead: false, portalRead: false, fleetWrite: false, readA: true, writeA: true, readB: false, secretsA: true, secretsB: false }],
    ["tenant A viewer", tenantViewerA, { fleetRead: false, portalRead: false, fleetWrite: false, readA: true, writeA: false, readB: false, secretsA: false, secretsB: false }],
    ["signed in, no role or membership", nobody, { fleetRead: false, portalRead: false, fleetWrite: false, readA: false, writeA: false, readB: false, secretsA: false, secretsB: false }],
  ])("%s", (_, principal, expected) => {
    expect({
      fleetRead: hasPermission(principal, "fleet:read"),
      portalRead: hasPermission(principal, "portal:read"),
      fleetWrite: hasPermission(principal, "fleet:write"),
      readA: hasPermission(principal, "tenant:read", "A"),
      writeA: hasPermission(principal, "tenant:write", "A"),
      readB: canAccessTenant(principal, "B", "read"),
      secretsA: hasPermission(principal, "tenant:secrets", "A"),
      secretsB: hasPermission(principal, "tenant:secrets", "B"),
    }).toEqual(expected);
  });

  it("never grants a tenant permission without naming the tenant", () => {
    expect(hasPermission(admin, "tenant:read")).toBe(false);
    expect(hasPermission(tenantAdminA, "tenant:write", null)).toBe(false);
    expect(hasPermission(admin, "tenant:secrets", null)).toBe(false);
  });

  it.each([
    ["admin", admin, ["fleet:read", "portal:read", "fleet:write", "tenant:read", "tenant:write", "tenant:secrets"]],
    ["NOC viewer", noc, ["fleet:read", "portal:read", "tenant:read"]],
    ["NOC display", display, ["fleet:read"]],
    ["tenant A admin", tenantAdminA, ["tenant:read", "tenant:write", "tenant:secrets"]],
    ["tenant A viewer", tenantViewerA, ["tenant:read"]],
    ["signed in, no role or membership", nobody, []],
  ] as const)("%s could hold exactly what it holds for some resource", (_, principal, holdable) => {
    const all: Permission[] = ["fleet:read", "portal:read", "fleet:write", "tenant:read", "tenant:write", "tenant:secrets"];
    expect(all.filter((permission) => couldHoldPermission(principal, permission))).toEqual(holdable);
  });

  it("sends each persona to its own home", () => {
    expect(homePathFor(admin)).toBe("/admin");
    expect(homePathFor(noc)).toBe("/noc");
    expect(homePathFor(display)).toBe("/noc");
    expect(homePathFor(tenantViewerA)).toBe("/t/a");
    expect(homePathFor(nobody)).toBe("/signin/no-access");
  });
});
