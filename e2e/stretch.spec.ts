/**
 * The end of a stretch as an operator walks it on the tenant page: plan, pre-checks judged from
 * what the agents report, a cut-over refused by a failing check and then taken past it with a
 * reason, a rollback, the cut-over again, the unextend, the timeline; then offboarding behind its
 * own pre-checks. Azure is the console's AVS emulator; the agents are this test, posting samples
 * with the tokens the page issues.
 */
import { expect, request as apiRequest, test, type Locator, type Page } from "@playwright/test";
import { fillOnboarding } from "./support/onboarding";
import { tenantPage } from "./support/pages";
import { storageStateOf } from "./support/personas";

const SLUG = "margie";
const NAME = "Margie's Travel";
const GATEWAY = "10.93.0.1";
const ROUTER = "00:1b:54:c2:10:01";
const vmware = (n: number) => Array.from({ length: n }, (_, i) => `00:50:56:a1:00:${(i + 1).toString(16).padStart(2, "0")}`);
const kvm = (n: number) => Array.from({ length: n }, (_, i) => `52:54:00:3c:00:${(i + 1).toString(16).padStart(2, "0")}`);

/** A new token for one end, the previous revoked at once: this test is then that end's agent. */
async function takeOverEnd(page: Page, endpoint: RegExp): Promise<string> {
  const row = page.getByRole("listitem", { name: endpoint });
  await row.getByRole("button", { name: "Rotate token" }).click();
  const code = row.getByRole("status").locator("code");
  await expect(code).toHaveText(/^agt_/);
  const token = (await code.textContent())!;
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke previous token now" }).click();
  await expect(row.getByRole("status")).toHaveText(/no longer works\.$/);
  return token;
}

type Where = { source: string[]; avs: string[]; gatewayAnsweredBy: string[] };

/** One report from each end, as an agent sends it: where the workloads are, who answers for the gateway. */
async function report(baseURL: string, tokens: { source: string; avs: string }, where: Where) {
  const agent = await apiRequest.newContext({ baseURL, ignoreHTTPSErrors: true });
  try {
    for (const side of ["source", "avs"] as const) {
      const local = side === "source" ? where.source : where.avs;
      const remote = side === "source" ? where.avs : where.source;
      const sample = {
        measuredAt: new Date().toISOString(),
        rttMs: 11,
        jitterMs: 0.4,
        lossPct: 0,
        learnedMacs: local.length,
        macs: { local, tunnel: remote, truncated: false },
        gatewayProbe: { address: GATEWAY, answeredBy: side === "source" ? where.gatewayAnsweredBy : [] },
      };
      const response = await agent.post("/api/v1/telemetry", { headers: { authorization: `Bearer ${tokens[side]}` }, data: { samples: [sample] } });
      expect(response.status(), await response.text()).toBe(202);
    }
  } finally {
    await agent.dispose();
  }
}

const snap = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const snapRegion = (region: Locator, name: string) => region.screenshot({ path: test.info().outputPath(`${name}.png`) });

test.describe("the end of a stretch", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("an operator walks a tenant from extending to unextended, past a failing pre-check only with a reason, and sees the timeline", async ({ page, baseURL }) => {
    test.setTimeout(180_000);
    const form = await fillOnboarding(page, { name: NAME, slug: SLUG, subnet: "10.93.0.0/24" });
    await form.getByRole("button", { name: "Onboard tenant" }).click();
    await expect(page).toHaveURL(new RegExp(`/t/${SLUG}\\?onboarded=1$`));
    await expect(page.getByRole("status", { name: "Segment state" })).toHaveText(/Ready$/, { timeout: 20_000 });

    const add = page.getByRole("form", { name: "Add a tunnel" });
    await add.getByRole("group", { name: "Source-site gateway" }).getByLabel("Host name").fill(`${SLUG}-gw1`);
    const avsEnd = add.getByRole("group", { name: /AVS edge bridge/ });
    await avsEnd.getByLabel("Host name").fill(`${SLUG}-bridge1`);
    await avsEnd.getByLabel("Underlay address").fill("10.120.8.93");
    await add.getByRole("button", { name: "Add tunnel" }).click();
    await expect(page.getByRole("article", { name: "Tunnel primary" })).toBeVisible();
    const tokens = { source: await takeOverEnd(page, new RegExp(`^Source-site gateway ${SLUG}-gw1$`)), avs: await takeOverEnd(page, new RegExp(`^AVS edge bridge ${SLUG}-bridge1$`)) };

    const stretch = page.getByRole("region", { name: "Stretch lifecycle" });
    const stage = stretch.getByRole("status", { name: "Stretch stage" });
    await expect(stage).toHaveText(/Extending$/);
    await expect(stretch.getByRole("list", { name: "Stretch stages" }).locator('[aria-current="step"]')).toHaveText("Extending");

    // Plan: the form offers the subnet's first host and the private cloud's Tier-1s.
    const plan = stretch.getByRole("form", { name: "Plan the cut-over" });
    await expect(plan.getByLabel("Gateway address the Tier-1 takes")).toHaveValue(GATEWAY);
    await plan.getByLabel("Tier-1 gateway").selectOption("TNT42-T1");
    await plan.getByLabel("Source router's interface on the subnet (optional)").fill("eth1");
    await plan.getByRole("button", { name: "Plan cut-over" }).click();
    await expect(stage).toHaveText(/Cut-over planned$/);

    // The agents report: two workloads (and the router) still at the source, four in AVS, and the source router
    // still answering for the gateway address (its cut-over file not run yet).
    await report(baseURL!, tokens, { source: [...kvm(2), ROUTER], avs: vmware(4), gatewayAnsweredBy: [ROUTER] });
    await page.reload();
    const checks = stretch.getByRole("list", { name: "Pre-checks for the cut-over" });
    await expect(checks.getByRole("listitem", { name: /^Where the workloads are: Pass$/ })).toContainText("4 workloads already in AVS, 3 still at the source: ");
    await expect(checks.getByRole("listitem", { name: /^Where the workloads are: Pass$/ })).toContainText(kvm(2)[1]!);
    await expect(checks.getByRole("listitem", { name: /^Planned gateway address free: Warn$/ })).toContainText(`${ROUTER} at the source site still answers for ${GATEWAY}`);
    await snap(page, "stretch-planned-checks");

    // Cut over without a reason: refused, naming the check; nothing moves.
    const cutOver = stretch.getByRole("form", { name: "Cut over" });
    await cutOver.getByRole("button", { name: "Cut over" }).click();
    await expect(cutOver.getByRole("alert")).toContainText("Not every pre-check passes for the cut-over");
    await expect(cutOver.getByRole("alert")).toContainText("Planned gateway address free (warn)");
    await expect(stage).toHaveText(/Cut-over planned$/);
    await snap(page, "stretch-cutover-refused");
    await snapRegion(stretch, "stretch-section-refused");

    // With a reason it goes; Azure gives the segment its gateway, and the stage follows.
    await cutOver.getByLabel(/^Reason/).fill("The router's interface is shut in the change window right after");
    await cutOver.getByRole("button", { name: "Cut over" }).click();
    await expect(stage).toHaveText(/Cut over$/, { timeout: 30_000 });
    await expect(page.getByRole("region", { name: "NSX-T segment" }).getByRole("status", { name: "Segment state" })).toHaveText(/Ready$/);
    await expect(stretch.getByRole("list", { name: "After the cut-over" })).toBeVisible();
    await snap(page, "stretch-cut-over");

    // Roll back: the gateway leaves the segment; the plan stands again.
    const rollBack = stretch.getByRole("form", { name: "Roll back" });
    await rollBack.getByLabel(/^Reason/).fill("An appliance pins the old gateway's MAC address");
    await rollBack.getByRole("button", { name: "Roll back" }).click();
    await expect(stage).toHaveText(/Cut-over planned$/, { timeout: 30_000 });

    // The router lets the address go; the next reports say nobody answers: the check passes.
    await report(baseURL!, tokens, { source: kvm(1), avs: vmware(4), gatewayAnsweredBy: [] });
    await page.reload();
    await expect(checks.getByRole("listitem", { name: /^Planned gateway address free: Pass$/ })).toBeVisible();
    await stretch.getByRole("form", { name: "Cut over" }).getByLabel(/^Reason/).fill("One straggler VM moves tonight, after the cut-over");
    await stretch.getByRole("form", { name: "Cut over" }).getByRole("button", { name: "Cut over" }).click();
    await expect(stage).toHaveText(/Cut over$/, { timeout: 30_000 });

    // Unextend: a workload is still at the source, so it needs the slug and a reason.
    const unextend = stretch.getByRole("form", { name: "Unextend" });
    await expect(stretch.getByRole("list", { name: "Pre-checks for the unextend" }).getByRole("listitem", { name: /^No workload left at the source: Fail$/ })).toBeVisible();
    await unextend.getByLabel(`Type ${SLUG} to confirm`).fill("margie-typo");
    await unextend.getByRole("button", { name: "Unextend" }).click();
    await expect(unextend.getByText(`Type ${SLUG} to confirm: the tunnels and their agent tokens are retired for good.`)).toBeVisible();
    await unextend.getByLabel(`Type ${SLUG} to confirm`).fill(SLUG);
    await unextend.getByLabel(/^Reason/).fill("The last VM is being rebuilt in AVS; its source copy is off");
    await unextend.getByRole("button", { name: "Unextend" }).click();
    await expect(stage).toHaveText(/Unextended$/, { timeout: 15_000 });
    await expect(page.getByRole("article", { name: "Tunnel primary" })).toHaveCount(0);
    await expect(stretch.getByRole("link", { name: /download the teardown files/ })).toBeVisible();
    // No tunnel comes back: the add-tunnel form is gone.
    await expect(page.getByRole("form", { name: "Add a tunnel" })).toHaveCount(0);

    // The retired agents are refused.
    const agent = await apiRequest.newContext({ baseURL, ignoreHTTPSErrors: true });
    const late = await agent.post("/api/v1/telemetry", { headers: { authorization: `Bearer ${tokens.source}` }, data: { samples: [{ measuredAt: new Date().toISOString(), rttMs: 1, jitterMs: 0, lossPct: 0 }] } });
    expect(late.status()).toBe(401);
    await agent.dispose();

    // The timeline tells the story, with who and why.
    const timeline = stretch.getByRole("list", { name: "Stretch timeline" }).getByRole("listitem");
    await expect(timeline.first()).toContainText("Onboarded: stretch begins");
    await expect(stretch.getByRole("list", { name: "Stretch timeline" })).toContainText("Cut-over planned");
    await expect(timeline.filter({ hasText: "Cut-over started" }).first()).toContainText("reason: “The router's interface is shut in the change window right after”");
    await expect(timeline.filter({ hasText: "Rollback started" })).toContainText("by admin@bridgehead.example");
    await expect(timeline.filter({ hasText: "Rolled back: the gateway is at the source again" })).toContainText("by system");
    await expect(timeline.last()).toContainText("Unextended: tunnels retired, segment kept");
    await expect(timeline.last()).toContainText("retired primary");
    await snap(page, "stretch-unextended");
    await snapRegion(stretch, "stretch-section-unextended");

    // Offboarding: its own pre-checks, the slug typed.
    await tenantPage(page).offboard({ slug: SLUG, displayName: NAME, reason: "Margie's workloads now live on a routed segment of their own" });
    await expect(page.getByRole("status").filter({ hasText: /^Offboarding/ }).or(page.getByRole("status").filter({ hasText: "Offboarded on" }))).toBeVisible({ timeout: 20_000 });
    await expect(stretch.getByRole("list", { name: "Stretch timeline" })).toContainText("Offboarding started");
  });
});

test.describe("a tenant's own admin", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("sees the stretch and its timeline read-only", async ({ page }) => {
    await page.goto("/t/contoso");
    const stretch = page.getByRole("region", { name: "Stretch lifecycle" });
    await expect(stretch.getByRole("status", { name: "Stretch stage" })).toBeVisible();
    await expect(stretch.getByRole("status", { name: "Stretch stage" })).toHaveText(/Extending$/);
    await expect(stretch.getByRole("heading", { name: "Timeline" })).toBeVisible();
    await expect(stretch.getByRole("form")).toHaveCount(0);
    await expect(stretch.getByRole("button")).toHaveCount(0);
    await expect(page.getByText("Offboard this tenant…")).toHaveCount(0);
    await snap(page, "stretch-tenant-admin");
  });
});
