/**
 * Secrets the console must give back later (IPsec pre-shared keys, agent tokens for downloaded
 * configs) are stored encrypted: JWE compact serialisation, dir + A256GCM, with a key that is
 * never in the database. A dump of the database alone reveals none of them.
 *
 * The key is SHA-256 of SECRETS_KEY when set (every instance derives the same one), otherwise a
 * random 32-byte key made once in DATA_DIR/secrets/secrets.key, readable by the console only.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { CompactEncrypt, compactDecrypt } from "jose";
import { PSK_READ_AS_ENCODING } from "@/lib/gateway/ipsec";
import type { AppConfig } from "@/lib/config";
import { loadKey } from "@/lib/server/key-file";
import { processSlot } from "@/lib/server/process-slot";

/** What each stored secret is; bound into its ciphertext so one cannot stand in for another. */
export const SECRET_PURPOSE = {
  psk: "ipsec-psk",
  agentToken: "agent-token",
  webhookSecret: "webhook-secret",
  teamsUrl: "teams-url",
  smtpPassword: "smtp-password",
} as const;
export type SecretPurpose = (typeof SECRET_PURPOSE)[keyof typeof SECRET_PURPOSE];

const secretsKey = processSlot<Uint8Array>("secrets-key");

export function getSecretsKey(config: Pick<AppConfig, "secretsKey" | "dataDir">): Uint8Array {
  return secretsKey.getOrCreate(() =>
    loadKey({
      secret: config.secretsKey,
      purpose: "secrets",
      file: path.join(config.dataDir, "secrets", "secrets.key"),
      whenDamaged: "Restore it from backup: the stored secrets cannot be read without it.",
    }),
  );
}

/**
 * Encrypts one secret. `purpose` is bound into the ciphertext as authenticated data, so a PSK's
 * ciphertext cannot be replayed where an agent token is expected.
 */
export async function encryptSecret(plaintext: string, key: Uint8Array, purpose: SecretPurpose): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", cty: `bridgehead/${purpose}` })
    .encrypt(key);
}

export class SecretUnreadableError extends Error {
  override name = "SecretUnreadableError";
}

export async function decryptSecret(ciphertext: string, key: Uint8Array, purpose: SecretPurpose): Promise<string> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(ciphertext, key, {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    if (protectedHeader.cty !== `bridgehead/${purpose}`) throw new Error(`not a ${purpose}`);
    return new TextDecoder().decode(plaintext);
  } catch (error) {
    throw new SecretUnreadableError(
      `A stored ${purpose} cannot be decrypted (${(error as Error).message}): the secrets key changed. Restore SECRETS_KEY or DATA_DIR/secrets/secrets.key, or issue a new one.`,
    );
  }
}

/**
 * A pre-shared key for one IPsec tunnel: 256 random bits as base64 text, which is the key on every
 * platform. A text that swanctl would read as hex or base64 ("0x…", "0s…", one in 1,024) is
 * drawn again, so VyOS, whose key reaches swanctl as it stands, and the others agree on it.
 */
export function newPresharedKey(draw: (size: number) => Uint8Array = randomBytes): string {
  for (;;) {
    const text = Buffer.from(draw(32)).toString("base64");
    if (!PSK_READ_AS_ENCODING.test(text)) return text;
  }
}

/** For tests: forget the cached key so another DATA_DIR's key is read. */
export function forgetSecretsKey(): void {
  secretsKey.set(undefined);
}
