/**
 * Server-side verification of the ID token MSAL obtained in the browser: signature against the
 * provider's keys, issuer, audience, expiry, and freshness (a token minted long ago is not a
 * sign-in happening now). Both identity modes come out as the same VerifiedIdentity.
 */
import "server-only";
import { timingSafeEqual } from "node:crypto";
import { createLocalJWKSet, jwtVerify } from "jose";
import type { AppConfig } from "@/lib/config";
import { APP_ROLES, type OperatorRole } from "@/lib/auth/permissions";
import { BUILTIN_CLIENT_ID, builtinIssuer } from "./client-config";
import { entraIssuerV2, getEntraKeys } from "./entra-keys";
import { getBuiltinSigningKey, publicPart } from "./signing-key";

export type VerifiedIdentity = { subject: string; signInName: string; name: string; roles: OperatorRole[] };

export class IdTokenError extends Error {}

/** A sign-in must present a token minted within this window. */
const MAX_TOKEN_AGE = "10m";

async function verificationFor(config: AppConfig) {
  if (config.identity.mode === "entra") {
    return { keys: getEntraKeys(config.identity), issuer: entraIssuerV2(config.identity), audience: config.identity.clientId };
  }
  const jwk = await getBuiltinSigningKey(config);
  return { keys: createLocalJWKSet({ keys: [publicPart(jwk)] }), issuer: builtinIssuer(config), audience: BUILTIN_CLIENT_ID };
}

/**
 * `expectedNonce` is the one this browser's sign-in started with (held in an httpOnly cookie):
 * a token minted for another sign-in, or lifted from a URL, does not carry it.
 */
export async function verifyIdToken(config: AppConfig, idToken: string, expectedNonce: string): Promise<VerifiedIdentity> {
  const { keys, issuer, audience } = await verificationFor(config);
  let payload;
  try {
    ({ payload } = await jwtVerify(idToken, keys, { issuer, audience, algorithms: ["RS256"], maxTokenAge: MAX_TOKEN_AGE }));
  } catch (error) {
    throw new IdTokenError(`The sign-in token was not accepted (${(error as { code?: string }).code ?? "invalid"}). Sign in again.`);
  }
  if (typeof payload.nonce !== "string" || !constantTimeEqual(payload.nonce, expectedNonce)) {
    throw new IdTokenError("The sign-in token does not belong to this sign-in. Sign in again.");
  }
  // An access token for this app's own API has the same audience; it is not a sign-in.
  if (payload.scp !== undefined || (payload.azp !== undefined && payload.azp !== audience)) {
    throw new IdTokenError("That is not an ID token for this console. Sign in again.");
  }
  // Entra's `oid` is the user's id across applications; `sub` is per application. The built-in
  // provider sets both to the same value.
  const subject = typeof payload.oid === "string" ? payload.oid : payload.sub;
  const signInName = [payload.preferred_username, payload.email, payload.upn].find((v): v is string => typeof v === "string");
  if (!subject || !signInName) throw new IdTokenError("The sign-in token has no subject or sign-in name.");
  const roles = (Array.isArray(payload.roles) ? payload.roles : [])
    .map((role) => APP_ROLES[role as keyof typeof APP_ROLES])
    .filter((role): role is OperatorRole => role !== undefined);
  return {
    subject,
    signInName: signInName.toLowerCase(),
    name: typeof payload.name === "string" ? payload.name : signInName,
    roles: [...new Set(roles)],
  };
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
