import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhook } from "./signature";

describe("webhook signatures", () => {
  const secret = "whsec_test";
  const body = '{"schema":"bridgehead.notification/v1","title":"x"}';

  it("matches a known HMAC-SHA256 of timestamp.body, so any language can verify it", () => {
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expect(signWebhook(secret, 1_700_000_000, '{"a":1}')).toBe("v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
    expect(signWebhook(secret, 1, body)).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it("verifies its own signature, and refuses a changed body, timestamp, secret or an old request", () => {
    const t = 1_700_000_000;
    const signature = signWebhook(secret, t, body);
    expect(verifyWebhook(secret, { signature, timestamp: String(t) }, body, t + 10)).toEqual({ ok: true });
    expect(verifyWebhook(secret, { signature, timestamp: String(t) }, body.replace("x", "y"), t)).toMatchObject({ ok: false, reason: "signature does not match" });
    expect(verifyWebhook(secret, { signature, timestamp: String(t + 1) }, body, t)).toMatchObject({ ok: false });
    expect(verifyWebhook("whsec_other", { signature, timestamp: String(t) }, body, t)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, { signature, timestamp: String(t) }, body, t + 301)).toMatchObject({ ok: false, reason: expect.stringMatching(/300 s/) });
    expect(verifyWebhook(secret, { signature: null, timestamp: String(t) }, body, t)).toMatchObject({ ok: false });
    expect(verifyWebhook(secret, { signature, timestamp: "soon" }, body, t)).toMatchObject({ ok: false });
  });

  it("accepts any one of several signatures (a secret being rotated)", () => {
    const t = 1_700_000_000;
    const header = `v1=${"0".repeat(64)}, ${signWebhook(secret, t, body)}`;
    expect(verifyWebhook(secret, { signature: header, timestamp: String(t) }, body, t)).toEqual({ ok: true });
  });

  it("makes a new 256-bit secret every time", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[\w-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
