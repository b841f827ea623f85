import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { baselineSecurityHeaders, cspHash, hashedPageContentSecurityPolicy, newNonce, NON_PAGE_CSP, pageContentSecurityPolicy } from "./headers";

/** A CSP as directive → sources, so tests read like the policy. */
function parse(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(";").map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe("baselineSecurityHeaders", () => {
  it("forbids framing, sniffing and referrers, and turns off unused browser features", () => {
    const headers = Object.fromEntries(baselineSecurityHeaders({ https: false }));
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(parse(headers["content-security-policy"]!)["frame-ancestors"]).toEqual(["'none'"]);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["permissions-policy"]).toMatch(/(^|, )camera=\(\)(,|$)/);
    expect(headers["permissions-policy"]).toMatch(/(^|, )geolocation=\(\)(,|$)/);
  });

  it("sends HSTS only when users reach the console over HTTPS", () => {
    expect(Object.fromEntries(baselineSecurityHeaders({ https: false }))["strict-transport-security"]).toBeUndefined();
    expect(Object.fromEntries(baselineSecurityHeaders({ https: true }))["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  it("lets nothing load or run in a response that is not a page", () => {
    expect(parse(NON_PAGE_CSP)).toEqual({ "default-src": ["'none'"], "frame-ancestors": ["'none'"], "base-uri": ["'none'"], "form-action": ["'none'"] });
  });
});

describe("pageContentSecurityPolicy", () => {
  it("allows scripts and style elements only by this response's nonce, and no framing", () => {
    const policy = parse(pageContentSecurityPolicy({ nonce: "abc123==", https: true }));
    expect(policy["script-src"]).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy["style-src"]).toEqual(["'self'", "'nonce-abc123=='"]);
    expect(policy["frame-ancestors"]).toEqual(["'none'"]);
    expect(policy["object-src"]).toEqual(["'none'"]);
    expect(policy["base-uri"]).toEqual(["'none'"]);
    expect(policy["form-action"]).toEqual(["'self'"]);
    expect(policy["connect-src"]).toEqual(["'self'"]);
    expect(policy).toHaveProperty("upgrade-insecure-requests");
    // Neither inline script nor eval in production.
    expect(Object.values(policy).flat()).not.toContain("'unsafe-eval'");
    expect(policy["script-src"]).not.toContain("'unsafe-inline'");
  });

  it("adds the identity provider's origin for MSAL's requests, and eval only for the development server", () => {
    const policy = parse(pageContentSecurityPolicy({ nonce: "n", https: false, connectSources: ["https://login.microsoftonline.com"], development: true }));
    expect(policy["connect-src"]).toEqual(["'self'", "https://login.microsoftonline.com"]);
    expect(policy["script-src"]).toContain("'unsafe-eval'");
    expect(policy).not.toHaveProperty("upgrade-insecure-requests");
  });
});

describe("nonces and hashes", () => {
  it("makes a different 128-bit nonce every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });

  it("hashes an inline block's exact text, as browsers do", () => {
    const text = "body{margin:0}";
    expect(cspHash(text)).toBe(`'sha256-${createHash("sha256").update(text).digest("base64")}'`);
    const policy = parse(hashedPageContentSecurityPolicy({ styles: [text], scripts: [], https: false }));
    expect(policy["style-src"]).toEqual([cspHash(text)]);
    expect(policy["script-src"]).toEqual(["'none'"]);
    expect(policy["default-src"]).toEqual(["'none'"]);
    expect(policy["frame-ancestors"]).toEqual(["'none'"]);
  });
});
