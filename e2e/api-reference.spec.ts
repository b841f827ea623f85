import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { describeViolations, watchViolations } from "./support/csp";
import { storageStateOf } from "./support/personas";

/**
 * The API reference page (Admin → API): Swagger UI, served from the console itself, draws every
 * operation of the live OpenAPI document, and "Try it" calls the API with a token pasted into
 * Authorize and nothing else, all under the console's strict CSP and without a request leaving
 * the console's origin. The renderer is loaded by this page only.
 */

type OpenApiDocument = { paths: Record<string, Record<string, unknown>> };
const METHODS = ["get", "put", "post", "delete", "patch"];

test.use({ storageState: storageStateOf("admin") });

/** Makes a token through Settings → API tokens, as an admin would; returns the secret shown once. */
async function createToken(page: Page, name: string): Promise<string> {
  await page.goto("/admin/settings/api-tokens");
  const form = page.getByRole("form", { name: "Create an API token" });
  await form.getByLabel("Token name").fill(name);
  await form.getByLabel("Scope").selectOption("read");
  await form.getByLabel("Expires after (days)").fill("1");
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = form.getByLabel("New API token");
  await expect(secret).toHaveText(/^bh_[\w-]{43}$/);
  return (await secret.textContent())!;
}

function executeListClouds(page: Page) {
  const operation = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/api/v1/private-clouds"])');
  const call = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/private-clouds" && r.request().method() === "GET");
  return { operation, call };
}

test("renders every operation of the document, tries a read with a pasted token, stays on the origin under the CSP, and passes axe", async ({ page, request, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const token = await createToken(page, `e2e-reference-${test.info().workerIndex}-${Date.now().toString(36)}`);

  const violations = await watchViolations(page);
  const requested: string[] = [];
  page.on("request", (r) => requested.push(r.url()));
  // The renderer fails quietly (an endless spinner) when its parser breaks; it says so only here.
  const scriptErrors: string[] = [];
  page.on("pageerror", (error) => scriptErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 401/.test(message.text())) scriptErrors.push(message.text());
  });

  await page.goto("/admin/api");
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();

  // Every operation of the document the console serves, not a list written here.
  const openapi = (await (await request.get("/api/v1/openapi.json")).json()) as OpenApiDocument;
  const operations = Object.entries(openapi.paths).flatMap(([path, item]) => METHODS.filter((m) => m in item).map((method) => ({ path, method })));
  expect(operations.length).toBeGreaterThan(20);
  for (const { path, method } of operations) {
    await expect(page.locator(`.opblock-${method} .opblock-summary-path[data-path="${path}"]`), `${method.toUpperCase()} ${path}`).toHaveCount(1);
  }
  await expect(page.locator(".opblock")).toHaveCount(operations.length);

  // Try it without a token: the page sends no cookie, so the admin's session does not answer for it.
  const { operation, call: anonymousCall } = executeListClouds(page);
  await operation.locator(".opblock-summary-control").click();
  await operation.getByRole("button", { name: "Try it out" }).click();
  await operation.getByRole("button", { name: "Execute" }).click();
  const refused = await anonymousCall;
  expect(refused.status()).toBe(401);
  expect(await refused.request().headerValue("cookie")).toBeNull();

  // Authorize with the token, and the same call answers 200 with the clouds.
  await page.getByRole("button", { name: "Authorize", exact: true }).click();
  // Swagger UI's modal carries no dialog role; its one container per security scheme is found by the scheme's name.
  const dialog = page.locator(".modal-ux");
  const apiToken = dialog.locator('.auth-container:has(code:text-is("apiToken"))');
  await apiToken.getByRole("textbox").fill(token);
  await apiToken.getByRole("button", { name: "Apply credentials" }).click();
  await expect(apiToken.getByRole("button", { name: "Remove authorization" })).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).first().click();
  const { call } = executeListClouds(page);
  await operation.getByRole("button", { name: "Execute" }).click();
  const answered = await call;
  expect(answered.status()).toBe(200);
  expect(await answered.request().headerValue("authorization")).toBe(`Bearer ${token}`);
  expect(((await answered.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  await expect(operation.locator(".live-responses-table td.response-col_status:not(.col_header)")).toHaveText("200");
  await page.screenshot({ path: test.info().outputPath("api-reference-try-it.png"), fullPage: true });

  // The token lives in the page's memory only: nothing in web storage.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(token);

  // Clean, but for one finding: Swagger UI's operations are a <main> of their own, turned into a
  // named region inside the console's main (a role axe calls "not allowed" on <main>, minor).
  const axe = await new AxeBuilder({ page }).analyze();
  const findings = axe.violations.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(" ")}`));
  expect(findings).toEqual(["minor aria-allowed-role: #operations"]);

  expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:"))).toEqual([]);
  expect(violations, describeViolations(violations)).toEqual([]);
  expect(scriptErrors).toEqual([]);
});

test("the renderer's script and styles load on the reference page only", async ({ page }) => {
  const loaded = new Map<string, string[]>();
  let current = "";
  page.on("response", async (response) => {
    const type = response.request().resourceType();
    if (type !== "script" && type !== "stylesheet") return;
    const into = current;
    const body = await response.text().catch(() => "");
    // Class names only Swagger UI's bundle and stylesheet carry.
    if (/opblock-summary/.test(body)) loaded.set(into, [...(loaded.get(into) ?? []), response.url()]);
  });
  for (const url of ["/admin", "/admin/settings/api-tokens", "/admin/tenants", "/admin/api"]) {
    current = url;
    await page.goto(url);
    await page.waitForLoadState("networkidle");
  }
  await expect(page.locator(".opblock").first()).toBeVisible();
  expect([...loaded.keys()]).toEqual(["/admin/api"]);
});
