import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyPair, importJWK, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig, type AppConfig } from "@/lib/config";
import { BUILTIN_CLIENT_ID } from "./client-config";
import { IdTokenError, verifyIdToken } from "./id-token";
import { getBuiltinSigningKey } from "./signing-key";

let config: AppConfig;
let sign: (claims: JWTPayload, options?: { expiresIn?: string; issuedAt?: number }) => Promise<string>;

beforeAll(async () => {
  config = readConfig({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-idtoken-")), PORT: "3443" });
  const jwk = await getBuiltinSigningKey(config);
  const key = await importJWK(jwk, "RS256");
  sign = (claims, options = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuedAt(options.issuedAt)
      .setExpirationTime(options.expiresIn ?? "1h")
      .sign(key);
});

const NONCE = "n0nce-of-this-sign-in";
const good = {
  iss: "https://localhost:3443/oidc",
  aud: BUILTIN_CLIENT_ID,
  sub: "s-1",
  oid: "s-1",
  preferred_username: "Ada@Example.com",
  name: "Ada",
  nonce: NONCE,
  roles: ["Bridgehead.Admin", "Bridgehead.Admin", "Some.OtherApp.Role"],
};

describe("verifyIdToken (built-in provider)", () => {
  it("accepts a fresh token from the provider and maps app roles", async () => {
    expect(await verifyIdToken(config, await sign(good), NONCE)).toEqual({
      subject: "s-1",
      signInName: "ada@example.com",
      name: "Ada",
      roles: ["admin"],
    });
  });

  it("gives a tenant user (no app role) no operator role", async () => {
    const { roles } = await verifyIdToken(config, await sign({ ...good, roles: undefined }), NONCE);
    expect(roles).toEqual([]);
  });

  it.each([
    ["another issuer", { ...good, iss: "https://evil.example/oidc" }],
    ["another audience", { ...good, aud: "some-other-client" }],
    ["no sign-in name", { ...good, preferred_username: undefined }],
    ["another sign-in's nonce", { ...good, nonce: "someone-elses" }],
    ["no nonce", { ...good, nonce: undefined }],
    ["a scope claim (an access token, not an ID token)", { ...good, scp: "access_as_user" }],
    ["another authorized party", { ...good, azp: "some-other-client" }],
  ])("refuses a token with %s", async (_, claims) => {
    await expect(verifyIdToken(config, await sign(claims), NONCE)).rejects.toBeInstanceOf(IdTokenError);
  });

  it("refuses an expired token, and one minted too long ago", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verifyIdToken(config, await sign(good, { issuedAt: now - 7200, expiresIn: "-1h" }), NONCE)).rejects.toThrow(/not accepted/);
    await expect(verifyIdToken(config, await sign(good, { issuedAt: now - 900 }), NONCE)).rejects.toThrow(/not accepted/);
  });

  it("refuses a token signed by any other key, and an unsigned one", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(good).setProtectedHeader({ alg: "RS256" }).setIssuedAt().setExpirationTime("1h").sign(privateKey);
    await expect(verifyIdToken(config, forged, NONCE)).rejects.toBeInstanceOf(IdTokenError);
    const [header, payload] = (await sign(good)).split(".");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
    await expect(verifyIdToken(config, unsigned, NONCE)).rejects.toBeInstanceOf(IdTokenError);
    expect(header).toBeTruthy();
  });
});
