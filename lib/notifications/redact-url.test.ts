import { describe, expect, it } from "vitest";
import { REDACTED, redactUrl } from "./redact-url";

describe("redactUrl", () => {
  it("hides the credential of the common webhook receivers and keeps what identifies the target", () => {
    const slackSecret = "xoxAbCdEfGh1234567890zz";
    const slack = redactUrl(`https://hooks.slack.example/services/T0123ABCD/B0456EFGH/${slackSecret}`);
    expect(slack).not.toContain(slackSecret);
    expect(slack).toBe(`https://hooks.slack.example/services/T0123ABCD/B0456EFGH/${REDACTED}`);

    const discordToken = "aB3dE_fG7hIjK-lMnOpQrStUvWxYz0123456789abcdefGHIJ";
    const discord = redactUrl(`https://discord.example/api/webhooks/112233445566778899/${discordToken}`);
    expect(discord).not.toContain(discordToken);
    // The numeric id is a long number too: hidden as well, the host and route say enough.
    expect(discord).toBe(`https://discord.example/api/webhooks/${REDACTED}/${REDACTED}`);
  });

  it("replaces every query value and keeps the keys, so `?token=` and `?code=` never show", () => {
    const shown = redactUrl("https://fn.example:8443/api/notify?code=s3cr3t-value&tenant=contoso#frag");
    expect(shown).toBe(`https://fn.example:8443/api/notify?code=${REDACTED}&tenant=${REDACTED}`);
    expect(shown).not.toMatch(/s3cr3t|contoso|frag/);
  });

  it("hides user-info, a password above all", () => {
    const shown = redactUrl("https://bot:hunter2hunter2@receiver.example/hook");
    expect(shown).toBe(`https://${REDACTED}@receiver.example/hook`);
  });

  it("leaves a URL with no credential as it was, plain path words included", () => {
    expect(redactUrl("https://receiver.example/bridgehead/warnings")).toBe("https://receiver.example/bridgehead/warnings");
    expect(redactUrl("http://127.0.0.1:9000/hook")).toBe("http://127.0.0.1:9000/hook");
  });

  it("catches a token hidden by percent-encoding, and shows nothing of what it cannot parse", () => {
    expect(redactUrl("https://r.example/hook/%61%62%63%64%65%66%67%68%69%6a%6b%6c%6d%6e%6f%31")).toBe(`https://r.example/hook/${REDACTED}`);
    expect(redactUrl("not a url with secret123")).toBe(REDACTED);
  });

  it("hides a token made of letters only, which reads as no word (Slack's secret need not hold a digit)", () => {
    const lettersOnly = "XkQpWzRtYvBnMcLsDfGhJaEu";
    expect(redactUrl(`https://hooks.slack.example/services/T0123ABCD/B0456EFGH/${lettersOnly}`)).toBe(`https://hooks.slack.example/services/T0123ABCD/B0456EFGH/${REDACTED}`);
    // Words of a route stay readable, however they are joined.
    expect(redactUrl("https://r.example/webhookb2/IncomingWebhook/bridgehead-warnings")).toBe("https://r.example/webhookb2/IncomingWebhook/bridgehead-warnings");
  });

  it("hides a query key that carries no value, as a receiver taking its credential as `?<token>` sends it", () => {
    const token = "Zq8vX2mKpL4nR7tW";
    const shown = redactUrl(`https://r.example/hook?${token}`);
    expect(shown).not.toContain(token);
    expect(shown).toBe(`https://r.example/hook?${REDACTED}`);
    // A key that itself looks like a token is hidden even with a value.
    expect(redactUrl(`https://r.example/hook?${token}=1`)).toBe(`https://r.example/hook?${REDACTED}=${REDACTED}`);
  });
});
