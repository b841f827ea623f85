/**
 * A stand-in for an Entra tenant's token service, enough for app-only access tokens: an HTTPS
 * server on loopback publishing the tenant's signing keys at Entra's path
 * (`/<tenant>/discovery/v2.0/keys`), and a signer for tokens shaped like the client-credentials
 * flow's. The console is pointed at it with ENTRA_AUTHORITY, fetches the keys over TLS as it
 * would from Entra, and this process trusts the server's certificate (and only it) for that.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";
import selfsigned from "selfsigned";
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";

export type EntraTenant = Awaited<ReturnType<typeof startEntraTenant>>;

async function loopbackCertificate() {
  const pems = await selfsigned.generate([{ name: "commonName", value: "entra stand-in" }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function startEntraTenant(tenantId: string) {
  const signing = await generateKeyPair("RS256", { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(signing.publicKey)), kid: "tenant-key-1", use: "sig", alg: "RS256" };
  const { cert, key } = await loopbackCertificate();
  let keyFetches = 0;
  const server = https.createServer({ cert, key }, (request, response) => {
    if (request.url === `/${tenantId}/discovery/v2.0/keys`) {
      keyFetches += 1;
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const authority = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const previous = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: { ca: cert } }));

  return {
    authority,
    issuerV2: `${authority}/${tenantId}/v2.0`,
    issuerV1: `${authority}/${tenantId}/`,
    /** The published signing key, as the keys endpoint serves it. */
    publicJwk,
    /** How many times the console fetched the key set. */
    keyFetches: () => keyFetches,
    /** Signs claims as the tenant does (kid of the published key), valid for an hour unless the claims say otherwise. */
    async sign(claims: JWTPayload, options: { key?: CryptoKey; kid?: string } = {}): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iat: now, nbf: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? publicJwk.kid })
        .sign(options.key ?? signing.privateKey);
    },
    async stop() {
      setGlobalDispatcher(previous);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
