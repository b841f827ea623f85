import "server-only";
import fs from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import type { AppConfig } from "@/lib/config";
import { processSlot } from "@/lib/server/process-slot";

const signingKey = processSlot<Promise<JWK>>("oidc-signing-key");

/**
 * The built-in provider's RS256 signing key as a private JWK, made on first start and kept in
 * DATA_DIR/secrets (mode 0600) so sessions survive restarts. The built-in provider serves one
 * instance; deployments with several instances sign in with Entra ID.
 */
export function getBuiltinSigningKey(config: AppConfig): Promise<JWK> {
  return signingKey.getOrCreate(async () => {
    const file = path.join(config.dataDir, "secrets", "oidc-signing-key.json");
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as JWK;
    const { privateKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
    const jwk = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: `bridgehead-${Date.now().toString(36)}` };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    return jwk;
  });
}

export function publicPart(jwk: JWK): JWK {
  const { kty, n, e, alg, use, kid } = jwk;
  return { kty, n, e, alg, use, kid };
}
