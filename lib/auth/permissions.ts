/**
 * Who may do what. Pure functions of the signed-in principal: every route handler and server
 * action asks these through one wrapper (lib/auth/guards.ts), so no endpoint decides on its own.
 */
import type { TenantRole } from "@/lib/domain/tenant-options";

/** App roles as they arrive in the ID token (Entra app roles; the built-in provider mirrors them). */
export const APP_ROLES = { "Bridgehead.Admin": "admin", "Bridgehead.NocViewer": "noc-viewer" } as const;
export type OperatorRole = (typeof APP_ROLES)[keyof typeof APP_ROLES];

export type UserPrincipal = {
  kind: "user";
  userId: string;
  /** The session record this request came in on (absent only for principals built in tests). */
  sessionId?: string;
  signInName: string;
  name: string;
  roles: OperatorRole[];
  /** The one tenant this user belongs to, from an admin-managed membership; null for operators. */
  tenant: { id: string; slug: string; role: TenantRole } | null;
};

export type DisplayPrincipal = { kind: "display"; displayId: string; name: string; sessionId?: string };

/**
 * A script or pipeline with an API token (lib/auth/api-tokens.ts): `read` or `write`, fleet-wide
 * or limited to one tenant. Never an admin: it holds exactly what its scope names. An Entra app
 * with app roles (lib/auth/entra-apps.ts) is one too: `source` says which, `name` is then the
 * app's client id and `tokenId` `entra-app:<client id>`.
 */
export type TokenPrincipal = { kind: "token"; source: "api-token" | "entra-app"; tokenId: string; name: string; scope: ApiTokenScope; tenantId: string | null };

/** App roles an Entra app (client credentials) holds on the console's API, and the token scope each gives. */
export const API_APP_ROLES = { "Bridgehead.Read": "read", "Bridgehead.Write": "write" } as const satisfies Record<string, ApiTokenScope>;
export type ApiTokenScope = "read" | "write";

export type Principal = UserPrincipal | DisplayPrincipal | TokenPrincipal;

/**
 * What an API token may do: `read` reads what it reaches; `write` also changes it and takes its
 * secrets (gateway bundles). A fleet-wide token reaches every tenant and the fleet-wide verbs
 * (onboarding, the audit trail, pools); a tenant's token reaches that tenant only.
 */
function tokenHolds(token: TokenPrincipal, permission: Permission, tenantId?: string | null): boolean {
  const write = token.scope === "write";
  switch (permission) {
    case "fleet:read":
    case "portal:read":
      return token.tenantId === null;
    case "fleet:write":
      return write && token.tenantId === null;
    case "tenant:read":
      return tenantId != null && (token.tenantId === null || token.tenantId === tenantId);
    case "tenant:write":
    case "tenant:secrets":
      return write && tenantId != null && (token.tenantId === null || token.tenantId === tenantId);
  }
}

/**
 * - `fleet:read`: fleet-wide views such as the NOC wall. Admins, NOC viewers, displays.
 * - `portal:read`: the admin portal's pages, read-only. Admins and NOC viewers: people, not screens.
 * - `fleet:write`: anything that changes the fleet. Admins only.
 * - `tenant:read` / `tenant:write`: one tenant's data; operators, or that tenant's own users
 *   (writes only for its tenant admins, e.g. rotating their agent tokens).
 * - `tenant:secrets`: what carries a tenant's secrets (gateway configs with PSKs and agent
 *   tokens). Admins and that tenant's own admins only: NOC viewers read every tenant, but a
 *   wall-screen operator has no business holding a customer's keys, and a tenant viewer is
 *   read-only while an agent token lets its holder post telemetry.
 */
export type Permission = "fleet:read" | "portal:read" | "fleet:write" | "tenant:read" | "tenant:write" | "tenant:secrets";

export function isAdmin(principal: Principal): boolean {
  return principal.kind === "user" && principal.roles.includes("admin");
}

export function canReadFleet(principal: Principal): boolean {
  return principal.kind === "display" || isAdmin(principal) || (principal.kind === "user" && principal.roles.includes("noc-viewer"));
}

export function canAccessTenant(principal: Principal, tenantId: string, mode: "read" | "write"): boolean {
  if (isAdmin(principal)) return true;
  if (principal.kind !== "user") return false;
  if (mode === "read" && principal.roles.includes("noc-viewer")) return true;
  if (principal.tenant?.id !== tenantId) return false;
  return mode === "read" || principal.tenant.role === "tenant-admin";
}

/** For permissions that are not about one tenant; tenant permissions need the tenant too. */
export function hasPermission(principal: Principal, permission: Permission, tenantId?: string | null): boolean {
  if (principal.kind === "token") return tokenHolds(principal, permission, tenantId);
  switch (permission) {
    case "fleet:read":
      return canReadFleet(principal);
    case "portal:read":
      return principal.kind === "user" && (isAdmin(principal) || principal.roles.includes("noc-viewer"));
    case "fleet:write":
      return isAdmin(principal);
    case "tenant:read":
    case "tenant:write":
      return tenantId != null && canAccessTenant(principal, tenantId, permission === "tenant:read" ? "read" : "write");
    case "tenant:secrets":
      return tenantId != null && (isAdmin(principal) || (principal.kind === "user" && principal.tenant?.id === tenantId && principal.tenant.role === "tenant-admin"));
  }
}

const TENANT_PERMISSIONS: ReadonlySet<Permission> = new Set(["tenant:read", "tenant:write", "tenant:secrets"]);

export function isTenantPermission(permission: Permission): boolean {
  return TENANT_PERMISSIONS.has(permission);
}

/**
 * Whether the principal holds the permission for anything at all: for a tenant permission,
 * for some tenant. Asked before an action reads its input, so a caller who could never be
 * allowed learns nothing about what the input should look like.
 */
export function couldHoldPermission(principal: Principal, permission: Permission): boolean {
  if (!isTenantPermission(permission)) return hasPermission(principal, permission);
  if (principal.kind === "token") return tokenHolds(principal, permission, principal.tenantId ?? "any");
  if (isAdmin(principal)) return true;
  if (principal.kind !== "user") return false;
  if (permission === "tenant:read" && principal.roles.includes("noc-viewer")) return true;
  return principal.tenant !== null && hasPermission(principal, permission, principal.tenant.id);
}

/** Where a principal lands after signing in. */
export function homePathFor(principal: Principal): string {
  if (isAdmin(principal)) return "/admin";
  if (principal.kind === "display") return "/noc";
  if (principal.kind === "token") return "/signin/no-access";
  if (principal.tenant) return `/t/${principal.tenant.slug}`;
  if (principal.roles.includes("noc-viewer")) return "/noc";
  return "/signin/no-access";
}
