/**
 * The IPsec suites the console offers, in neutral terms (IANA group numbers, key sizes); each
 * platform's renderer spells them in its own words (lib/gateway/ipsec.ts).
 */

/** IANA Diffie-Hellman group numbers (RFC 5903: 19 is ECP-256, 20 is ECP-384). */
export type DhGroup = 19 | 20;
export type PrfHash = "sha256" | "sha384";
/** AES-GCM with a 16-byte ICV (RFC 4106), the only AEAD every platform here offers for IKE and ESP. */
export type AeadCipher = { algorithm: "aes-gcm"; keyBits: 128 | 256 };

export type IpsecSuite = {
  label: string;
  ike: { cipher: AeadCipher; prf: PrfHash; dhGroup: DhGroup };
  /** ESP's cipher, and the group of the fresh ECDH exchange at every child rekey (PFS). */
  esp: { cipher: AeadCipher; pfsGroup: DhGroup };
};

/**
 * The suites the console offers. The first is what every tunnel uses unless told otherwise;
 * the second is for source gateways whose crypto hardware stops at AES-128 and P-256 (smaller
 * MikroTik and older CSR licences). Both are AEAD: no separate integrity algorithm to mismatch.
 */
export const IPSEC_SUITES = {
  "aes256gcm-ecp384": {
    label: "AES-256-GCM, PRF SHA-384, ECP-384 (default)",
    ike: { cipher: { algorithm: "aes-gcm", keyBits: 256 }, prf: "sha384", dhGroup: 20 },
    esp: { cipher: { algorithm: "aes-gcm", keyBits: 256 }, pfsGroup: 20 },
  },
  "aes128gcm-ecp256": {
    label: "AES-128-GCM, PRF SHA-256, ECP-256",
    ike: { cipher: { algorithm: "aes-gcm", keyBits: 128 }, prf: "sha256", dhGroup: 19 },
    esp: { cipher: { algorithm: "aes-gcm", keyBits: 128 }, pfsGroup: 19 },
  },
} as const satisfies Record<string, IpsecSuite>;

export type IpsecSuiteId = keyof typeof IPSEC_SUITES;
export const IPSEC_SUITE_IDS = Object.keys(IPSEC_SUITES) as [IpsecSuiteId, ...IpsecSuiteId[]];
export const DEFAULT_IPSEC_SUITE: IpsecSuiteId = "aes256gcm-ecp384";

