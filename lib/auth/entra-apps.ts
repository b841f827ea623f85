/**
 * Bearer authentication for daemons registered in the console's Entra tenant: an access token
 * the app got with the client-credentials flow, carrying app roles. Verified like an ID token
 * (signature against the tenant's keys, issuer, audience, lifetime), and then held to what an
 * app-only token is: no `scp` (that is a user's delegated token), the configured tenant's `tid`,
 * and at least one of the console's API roles. The app becomes a fleet-wide token principal
 * whose scope is its roles, so every permission rule for API tokens applies to it unchanged.
 */
import "server-only";
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { EntraIdentity } from "@/lib/config";
import { entraIssuerV1, entraIssuerV2, getEntraKeys } from "@/lib/identity/entra-keys";
import { API_APP_ROLES, type ApiTokenScope, type TokenPrincipal } from "./permissions";

/** Clocks differ a little between Entra and this host; more than this and the token is refused. */
export const APP_TOKEN_CLOCK_SKEW_SECONDS = 60;

/** A JWT is three base64url parts; anything else is not an Entra token and goes to the API-token check. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

export type AppTokenRefusal = "invalid" | "expired" | "issuer" | "audience" | "tenant" | "user-token" | "no-role";

export type AppTokenCheck = { ok: true; principal: TokenPrincipal; appName: string | null } | { ok: false; reason: AppTokenRefusal };

export const APP_TOKEN_REFUSALS: Record<AppTokenRefusal, { status: 401 | 403; detail: string }> = {
  invalid: { status: 401, detail: "This bearer token is not an API token (bh_…) and not an Entra access token signed by the console's tenant." },
  expired: { status: 401, detail: "This Entra access token has expired or is not valid yet. Get a new one with the client-credentials flow." },
  issuer: { status: 401, detail: "This Entra access token was issued by another tenant or authority than the console's." },
  audience: { status: 401, detail: "This Entra access token is for another API. Request it with the scope '<console's Application ID URI>/.default'." },
  tenant: { status: 401, detail: "This Entra access token belongs to another tenant than the console's." },
  "user-token": {
    status: 401,
    detail: "This is a user's delegated token (it has 'scp'). The API takes app-only tokens from the client-credentials flow, or an API token.",
  },
  "no-role": {
    status: 403,
    detail: "This app holds none of the console's API roles. An Entra admin assigns it Bridgehead.Read or Bridgehead.Write (Enterprise applications → the console → Users and groups, or Graph appRoleAssignments).",
  },
};

function refusalOf(error: unknown): AppTokenRefusal {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "issuer";
    if (error.claim === "aud") return "audience";
    if (error.claim === "tid") return "tenant";
    if (error.claim === "nbf" || error.claim === "exp") return "expired";
  }
  return "invalid";
}

/** The strongest of the app's roles: write includes read. None: null. */
export function scopeOfAppRoles(roles: unknown): ApiTokenScope | null {
  const held = new Set((Array.isArray(roles) ? roles : []).map((role) => API_APP_ROLES[role as keyof typeof API_APP_ROLES]));
  if (held.has("write")) return "write";
  return held.has("read") ? "read" : null;
}

/** `keys` is the tenant's key set (the cached remote one); tests pass a local set. */
export async function authenticateEntraApp(identity: EntraIdentity, token: string, keys: JWTVerifyGetKey = getEntraKeys(identity)): Promise<AppTokenCheck> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: [entraIssuerV2(identity), entraIssuerV1(identity)],
      audience: [identity.clientId, identity.appIdUri],
      algorithms: ["RS256"],
      clockTolerance: APP_TOKEN_CLOCK_SKEW_SECONDS,
      requiredClaims: ["exp", "tid"],
    }));
  } catch (error) {
    const reason = refusalOf(error);
    // A key set that cannot be fetched is the console's problem, not the caller's: say so in the log.
    if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) console.error("[auth] Entra key set unavailable:", error);
    return { ok: false, reason };
  }
  if (payload.scp !== undefined || payload.idtyp === "user") return { ok: false, reason: "user-token" };
  if (payload.tid !== identity.tenantId) return { ok: false, reason: "tenant" };
  // v2 tokens name the calling app in `azp`, v1 tokens in `appid`.
  const appId = [payload.azp, payload.appid].find((v): v is string => typeof v === "string" && v.length > 0);
  if (!appId) return { ok: false, reason: "invalid" };
  const scope = scopeOfAppRoles(payload.roles);
  if (!scope) return { ok: false, reason: "no-role" };
  const appName = typeof payload.app_displayname === "string" ? payload.app_displayname : null;
  return {
    ok: true,
    appName,
    // Fleet-wide: an app role is granted for the whole console (decisions: "Entra apps").
    principal: { kind: "token", source: "entra-app", tokenId: `entra-app:${appId}`, name: appId, scope, tenantId: null },
  };
}
