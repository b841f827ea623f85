/**
 * The signing keys of the configured Entra tenant, one remote key set per process: jose's
 * `createRemoteJWKSet` caches the set, refetches when a token names a key it does not hold (Entra
 * rolls its keys) and waits 30 s between such refetches, so a flood of forged `kid`s cannot make
 * the console hammer the tenant. Sign-in (ID tokens) and app access (client credentials) share it.
 */
import "server-only";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import type { EntraIdentity } from "@/lib/config";

let cached: { url: string; keys: JWTVerifyGetKey } | undefined;

export function entraKeysUrl(identity: EntraIdentity): string {
  return `${identity.authority}/${identity.tenantId}/discovery/v2.0/keys`;
}

export function getEntraKeys(identity: EntraIdentity): JWTVerifyGetKey {
  const url = entraKeysUrl(identity);
  if (cached?.url !== url) cached = { url, keys: createRemoteJWKSet(new URL(url), { cacheMaxAge: 60 * 60_000, cooldownDuration: 30_000 }) };
  return cached.keys;
}

/** The v2.0 issuer of the tenant (ID tokens, and access tokens of an app asking for v2). */
export function entraIssuerV2(identity: EntraIdentity): string {
  return `${identity.authority}/${identity.tenantId}/v2.0`;
}

/**
 * The v1.0 issuer: Entra mints v1 access tokens for an API whose registration leaves
 * `requestedAccessTokenVersion` unset, which is the default. Public cloud only names it
 * `sts.windows.net`; a national cloud's v1 issuer is its own authority.
 */
export function entraIssuerV1(identity: EntraIdentity): string {
  const host = identity.authority === "https://login.microsoftonline.com" ? "https://sts.windows.net" : identity.authority;
  return `${host}/${identity.tenantId}/`;
}
