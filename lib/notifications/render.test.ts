import { describe, expect, it } from "vitest";
import { buildNotification, buildTestNotification, describeWarning, type WarningFacts } from "./payload";
import { escapeHtml, MAX_WARNINGS_SHOWN, renderEmail, renderTeamsMessage } from "./render";

const facts = (over: Partial<WarningFacts> = {}): WarningFacts => ({
  id: "00000000-0000-4000-8000-000000000001",
  kind: "loss",
  severity: "warning",
  state: "open",
  tenantSlug: "contoso",
  tenantName: "Contoso",
  tunnelId: "00000000-0000-4000-8000-0000000000aa",
  tunnelName: "primary",
  openedAt: new Date("2026-11-21T10:00:00Z"),
  resolvedAt: null,
  message: "Loss 4 %",
  ...over,
});
const notify = (firing: WarningFacts[], resolved: WarningFacts[] = []) =>
  buildNotification({
    id: "d",
    event: "firing",
    tenant: { slug: "contoso", name: "Contoso" },
    groupKey: "r/contoso",
    firing: firing.map((f) => describeWarning(f, "https://c.example", true)),
    resolved: resolved.map((f) => describeWarning(f, "https://c.example", false)),
    consoleUrl: "https://c.example",
    now: new Date("2026-11-21T10:01:00Z"),
  });

describe("notification rendering", () => {
  it("titles by the worst firing severity and counts what is open and resolved", () => {
    expect(notify([facts(), facts({ severity: "critical" })]).title).toBe("Critical: 2 warnings open for Contoso");
    expect(notify([facts()], [facts({ state: "resolved" })]).title).toBe("Warning: 1 warning open for Contoso, 1 resolved");
    expect(notify([], [facts({ state: "resolved" })])).toMatchObject({ status: "resolved", title: "Resolved: 1 warning for Contoso" });
  });

  it("colours the Teams card by severity, green once resolved", () => {
    const style = (n: ReturnType<typeof notify>) => ((renderTeamsMessage(n).attachments as { content: { body: { style: string }[] } }[])[0]!.content.body[0]!.style);
    expect(style(notify([facts({ severity: "critical" })]))).toBe("attention");
    expect(style(notify([facts({ severity: "warning" })]))).toBe("warning");
    expect(style(notify([facts({ severity: "info" })]))).toBe("accent");
    expect(style(notify([], [facts({ state: "resolved" })]))).toBe("good");
  });

  it("summarises past ten warnings instead of growing the card past Teams' limit", () => {
    const many = Array.from({ length: 25 }, (_, i) => facts({ id: `id-${i}` }));
    const card = JSON.stringify(renderTeamsMessage(notify(many)));
    expect(card).toContain(`and ${25 - MAX_WARNINGS_SHOWN} more firing`);
    expect(Buffer.byteLength(card)).toBeLessThan(28_000);
  });

  it("keeps a hostile rule message text in the e-mail: escaped in HTML, one line in the subject", () => {
    const hostile = facts({ message: `<script>alert("x")</script>\r\nBcc: victim@example.com` });
    const mail = renderEmail(notify([hostile]));
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain("Bcc: victim@example.com");
    expect(escapeHtml(`'&"`)).toBe("&#39;&amp;&quot;");
  });

  it("a test says what it is, with nothing firing", () => {
    const test = buildTestNotification({ id: "t", channelName: "Ops", consoleUrl: "https://c.example", now: new Date() });
    expect(renderEmail(test).subject).toBe("[Bridgehead] Test from Bridgehead: channel “Ops” works");
    expect(JSON.stringify(renderTeamsMessage(test))).toContain("Open Bridgehead");
  });
});
