import type { Page } from "@playwright/test";

export type Violation = { directive: string; blocked: string; page: string; sample: string };

/** Collects every CSP violation the page reports from now on, across navigations. */
export async function watchViolations(page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  await page.exposeFunction("__reportCspViolation", (violation: Violation) => violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (v: unknown) => void }).__reportCspViolation;
      void report({ directive: event.effectiveDirective, blocked: event.blockedURI, page: event.documentURI, sample: event.sample });
    });
  });
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push({ directive: "console", blocked: "", page: page.url(), sample: message.text() });
  });
  return violations;
}

export function describeViolations(violations: Violation[]): string {
  return violations.map((v) => `${v.page}: ${v.directive} blocked ${v.blocked || "inline"} ${v.sample}`).join("\n");
}
