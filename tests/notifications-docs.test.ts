/**
 * What docs/notifications.md gives a receiver's author must hold: the sample verifiers (Node.js
 * and Python, copied from the page as a reader would) accept what the console signs and refuse a
 * changed body, a wrong secret and a replayed old request; the example body has exactly the
 * fields the console sends.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { buildNotification, describeWarning } from "@/lib/notifications/payload";
import { newWebhookSecret, signWebhook } from "@/lib/notifications/signature";
import { describeWithTool, itWithTool, runTool } from "./support/gateway-tools";

const doc = fs.readFileSync("docs/notifications.md", "utf8");

/** The first fenced block of `language` after `heading`. */
function blockAfter(heading: string, language: string): string {
  const start = doc.indexOf(heading);
  if (start < 0) throw new Error(`docs/notifications.md has no "${heading}"`);
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(doc.slice(start));
  if (!match) throw new Error(`no ${language} block after "${heading}"`);
  return match[1]!;
}

type Signed = { secret: string; body: string; headers: Record<string, string> };

/** A notification body signed exactly as the webhook transport signs it, at `timestamp`. */
function signed(timestamp: number, secret = newWebhookSecret()): Signed {
  const body = JSON.stringify({ schema: "bridgehead.notification/v1", title: "Critical: 1 warning open for Contoso – “naïve” ✓", firing: [] });
  return {
    secret,
    body,
    headers: { "bridgehead-timestamp": String(timestamp), "bridgehead-signature": signWebhook(secret, timestamp, body), "bridgehead-delivery": "d1" },
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("the Node.js verifier in docs/notifications.md", () => {
  async function loadVerifier(): Promise<(secret: string, headers: Record<string, string>, rawBody: string) => boolean> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-verifier-"));
    const file = path.join(dir, "verify.mjs");
    fs.writeFileSync(file, blockAfter("### Verifying (Node.js)", "js"));
    const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { verifyBridgehead: (s: string, h: Record<string, string>, b: string) => boolean };
    return module.verifyBridgehead;
  }

  it("accepts the console's signature and refuses a changed body, another secret or an old request", async () => {
    const verify = await loadVerifier();
    const fresh = signed(nowSeconds());
    expect(verify(fresh.secret, fresh.headers, fresh.body)).toBe(true);
    expect(verify(fresh.secret, fresh.headers, fresh.body.replace("Critical", "Warning"))).toBe(false);
    expect(verify(newWebhookSecret(), fresh.headers, fresh.body)).toBe(false);
    const replayed = signed(nowSeconds() - 3600);
    expect(verify(replayed.secret, replayed.headers, replayed.body)).toBe(false);
    expect(verify(fresh.secret, { ...fresh.headers, "bridgehead-signature": "" }, fresh.body)).toBe(false);
  });
});

describeWithTool("python3", "the Python verifier in docs/notifications.md", () => {
  // Reads cases as JSON on stdin, prints one true/false per case: headers as a case-insensitive
  // mapping would give them to a web framework, the body as the raw bytes received.
  const harness = `${blockAfter("### Verifying (Python)", "python")}
import json, sys
for case in json.load(sys.stdin):
    headers = {"Bridgehead-Timestamp": case["timestamp"], "Bridgehead-Signature": case["signature"]}
    print(json.dumps(verify_bridgehead(case["secret"], headers, case["body"].encode("utf-8"))))
`;

  itWithTool("python3", "accepts the console's signature and refuses a changed body, another secret or an old request", () => {
    const fresh = signed(nowSeconds());
    const replayed = signed(nowSeconds() - 3600);
    const asCase = (s: Signed, changes: Partial<{ secret: string; body: string }> = {}) => ({
      secret: changes.secret ?? s.secret,
      body: changes.body ?? s.body,
      timestamp: s.headers["bridgehead-timestamp"],
      signature: s.headers["bridgehead-signature"],
    });
    const cases = [asCase(fresh), asCase(fresh, { body: fresh.body.replace("Critical", "Warning") }), asCase(fresh, { secret: newWebhookSecret() }), asCase(replayed)];
    const result = runTool("python3", ["-c", harness], JSON.stringify(cases));
    expect(result.status, result.output).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(["true", "false", "false", "false"]);
  });
});

describe("the example body in docs/notifications.md", () => {
  it("has exactly the fields the console sends, at the top and for each warning", () => {
    const example = JSON.parse(blockAfter("### Body (`bridgehead.notification/v1`)", "json")) as Record<string, unknown> & { firing: Record<string, unknown>[] };
    const warning = describeWarning(
      {
        id: "w1",
        kind: "path-mtu",
        severity: "critical",
        state: "open",
        tenantSlug: "contoso",
        tenantName: "Contoso Manufacturing",
        tunnelId: "t1",
        tunnelName: "primary",
        openedAt: new Date("2026-11-21T10:00:00Z"),
        resolvedAt: null,
        message: "1500-byte probes are lost; the path carries 1400",
      },
      "https://bridgehead.example.com",
      true,
    );
    const sent = buildNotification({
      id: "n1",
      event: "firing",
      tenant: { slug: "contoso", name: "Contoso Manufacturing" },
      groupKey: "g/contoso",
      firing: [warning],
      resolved: [],
      consoleUrl: "https://bridgehead.example.com",
      now: new Date("2026-11-21T10:00:30Z"),
    });
    expect(Object.keys(example).sort()).toEqual(Object.keys(sent).sort());
    expect(Object.keys(example.firing[0]!).sort()).toEqual(Object.keys(warning).sort());
    // The example's words are the console's: its title, kind label, remedy and link.
    expect(example.title).toBe(sent.title);
    expect(example.firing[0]).toMatchObject({ kindLabel: warning.kindLabel, remedy: warning.remedy, url: warning.url });
  });
});
