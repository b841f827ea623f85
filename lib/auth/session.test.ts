import { randomBytes } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { openSession, readCookie, sealSession, type SessionClaims } from "./session";

const key = randomBytes(32);
const claims: SessionClaims = {
  kind: "user",
  sessionId: "0b7d4c52-1d2e-4f3a-8b9c-2d3e4f5a6b7c",
  userId: "6f1f3f9e-4a59-4c1e-9a53-0d6a1a1e2b3c",
  subject: "sub-1",
  signInName: "ada@example.com",
  name: "Ada",
  roles: ["admin"],
};

describe("session tokens", () => {
  it("round-trip the claims", async () => {
    const token = await sealSession(claims, key, 60);
    expect(await openSession(token, key)).toEqual(claims);
  });

  it("are opaque: an encrypted JWE (dir + A256GCM), not a readable signed JWT", async () => {
    const token = await sealSession(claims, key, 60);
    const parts = token.split(".");
    expect(parts).toHaveLength(5);
    expect(JSON.parse(Buffer.from(parts[0]!, "base64url").toString())).toEqual({ alg: "dir", enc: "A256GCM" });
    for (const part of parts) expect(Buffer.from(part, "base64url").toString("latin1")).not.toMatch(/ada@example|admin/);
  });

  it("are refused when any character is changed", async () => {
    const token = await sealSession(claims, key, 60);
    const parts = token.split(".");
    const ciphertext = parts[3]!;
    const flipped = (ciphertext[5] === "A" ? "B" : "A");
    parts[3] = ciphertext.slice(0, 5) + flipped + ciphertext.slice(6);
    expect(await openSession(parts.join("."), key)).toBeNull();
  });

  it("are refused under another key", async () => {
    const token = await sealSession(claims, key, 60);
    expect(await openSession(token, randomBytes(32))).toBeNull();
  });

  it("are refused once expired", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    try {
      const token = await sealSession(claims, key, 60);
      vi.setSystemTime(new Date("2026-01-01T00:01:01Z"));
      expect(await openSession(token, key)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("are refused when missing or garbage", async () => {
    expect(await openSession(undefined, key)).toBeNull();
    expect(await openSession("not-a-token", key)).toBeNull();
  });
});

describe("readCookie", () => {
  it("finds a cookie among others and ignores look-alikes", () => {
    expect(readCookie("a=1; __Host-bh_session=tok; b=2", "__Host-bh_session")).toBe("tok");
    expect(readCookie("x__Host-bh_session=evil", "__Host-bh_session")).toBeUndefined();
    expect(readCookie(null, "a")).toBeUndefined();
  });
});
