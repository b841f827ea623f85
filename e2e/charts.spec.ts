import fs from "node:fs/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { storageStateOf } from "./support/personas";

/**
 * The tenant page's charts as an operator uses them (issue 21): a range written in the address
 * is the window drawn, dragging across a chart zooms and the address follows, a chart's CSV holds
 * the rows it draws, and two tunnels can be laid on one chart. The console under test backfills
 * the last half hour of the simulated fleet at start, so a window inside it has raw samples at
 * once, with no roll-up to wait for.
 */

const MINUTE = 60_000;

async function snap(what: Page | Locator, view: string) {
  const path = test.info().outputPath(`${view}.png`);
  await ("goto" in what ? what.screenshot({ path, fullPage: true }) : what.screenshot({ path }));
  await test.info().attach(view, { path, contentType: "image/png" });
}

type SeriesBody = { from: number; to: number; series: { side: string; points: { at: number; rttMs: number | null }[] }[] };

/** A fixed window in the backfilled half hour, on whole minutes so the address reads cleanly. */
function backfilledWindow() {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  return { from: now - 25 * MINUTE, to: now - 5 * MINUTE };
}

const iso = (ms: number) => new Date(ms).toISOString();
const hhmm = (ms: number) => iso(ms).slice(11, 16);

test.describe("a tenant user", () => {
  test.use({ storageState: storageStateOf("alice") });

  test("opens a custom range from the address, zooms by dragging, and exports the rows a chart draws", async ({ page }) => {
    const window = backfilledWindow();
    const seriesUrl = (from: number, to: number) => new RegExp(`/series\\?from=${encodeURIComponent(iso(from)).replace(/\./g, "\\.")}&to=${encodeURIComponent(iso(to)).replace(/\./g, "\\.")}$`);
    await page.goto(`/t/contoso?from=${iso(window.from)}&to=${iso(window.to)}`);
    const panel = page.getByRole("region", { name: "Tunnel health and latency" }).getByRole("article", { name: /^primary/ });
    const rtt = panel.getByRole("figure", { name: /^Round-trip time/ });
    const drawing = rtt.getByRole("img", { name: /^Round-trip time over/ });

    // The window drawn is the one in the address, to the millisecond, and it says so in words.
    await expect(drawing).toHaveAttribute("data-x-from", String(window.from));
    await expect(drawing).toHaveAttribute("data-x-to", String(window.to));
    await expect(panel.getByText(/^Showing .* UTC to .* UTC\.$/)).toContainText(`${hhmm(window.from)} UTC to`);
    // No preset is chosen; the custom fields hold the window.
    const ranges = panel.getByRole("group", { name: "Time range for tunnel primary" });
    for (const radio of await ranges.getByRole("radio").all()) await expect(radio).not.toBeChecked();
    await expect(panel.getByRole("textbox", { name: "From (UTC)" })).toHaveValue(iso(window.from).slice(0, 16).replace("T", " "));
    // Every time label on the axis lies inside the window.
    const ticks = await rtt.locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value").allTextContents();
    expect(ticks.length).toBeGreaterThan(1);
    for (const tick of ticks) {
      expect(tick >= hhmm(window.from) && tick <= hhmm(window.to), `tick ${tick} inside ${hhmm(window.from)}–${hhmm(window.to)}`).toBe(true);
    }
    await expect(rtt.locator(".recharts-line path").first()).toBeVisible();
    await expect(panel.getByRole("figure", { name: /^Throughput/ }).locator(".recharts-line path").first()).toBeVisible();
    await snap(page, "tenant-charts-custom-range");
    await snap(panel, "tenant-charts-custom-range-panel");

    // The CSV of the chart: exactly the points the series read gave for this window, both ends.
    const body = (await (await page.request.get(`/api/v1/tunnels/${await tunnelIdOf(page)}/series?from=${iso(window.from)}&to=${iso(window.to)}`)).json()) as SeriesBody;
    const download = page.waitForEvent("download");
    await rtt.getByRole("button", { name: "Export CSV of Round-trip time" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`contoso_primary_round-trip-time_${iso(window.from).slice(0, 16).replace(/:/g, "")}_${iso(window.to).slice(0, 16).replace(/:/g, "")}.csv`);
    const rows = parse(await fs.readFile((await file.path())!, "utf8")) as string[][];
    expect(rows[0]).toEqual(["time_utc", "series", "value", "unit"]);
    const expected = body.series.flatMap((s) =>
      s.points.map((p) => [iso(p.at), `Measured from the ${s.side === "source" ? "source gateway" : "AVS edge bridge"}`, p.rttMs === null ? "" : String(p.rttMs), "ms"]),
    );
    expect(expected.length).toBeGreaterThan(20);
    expect(rows.slice(1)).toEqual(expected);
    // And those are the points drawn: at under 500 a line, the chart draws every one.
    const drawnPoints = await rtt.locator(".recharts-line path.recharts-curve").evaluateAll((paths) => paths.map((p) => (p.getAttribute("d")?.match(/[ML]/g) ?? []).length));
    expect(drawnPoints.reduce((a, b) => a + b, 0)).toBe(body.series.reduce((n, s) => n + s.points.filter((p) => p.rttMs !== null).length, 0));

    // Dragging across the middle half of the chart zooms every chart to that span: the address follows.
    const box = (await drawing.boundingBox())!;
    const plotLeft = box.x + 44;
    const plotWidth = box.width - 44 - 20;
    const y = box.y + box.height / 2;
    const zoomed = page.waitForResponse((r) => /\/series\?from=/.test(r.url()) && !seriesUrl(window.from, window.to).test(r.url()) && r.ok());
    await page.mouse.move(plotLeft + plotWidth * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(plotLeft + plotWidth * 0.5, y, { steps: 5 });
    await expect(drawing.locator(".recharts-reference-area")).toHaveCount(1);
    await page.mouse.move(plotLeft + plotWidth * 0.75, y, { steps: 5 });
    await page.mouse.up();
    await zoomed;
    await expect(page).toHaveURL(/\?from=[^&]+&to=[^&]+$/);
    const url = new URL(page.url());
    const [from, to] = [Date.parse(url.searchParams.get("from")!), Date.parse(url.searchParams.get("to")!)];
    const span = window.to - window.from;
    // A pixel is a few seconds of this window: the zoom lands within a pixel or two of the drag.
    const slack = (2 * span) / plotWidth;
    expect(Math.abs(from - (window.from + span * 0.25))).toBeLessThan(slack);
    expect(Math.abs(to - (window.from + span * 0.75))).toBeLessThan(slack);
    await expect(drawing).toHaveAttribute("data-x-from", String(from));
    await expect(panel.getByRole("figure", { name: /^Jitter/ }).getByRole("img", { name: /^Jitter over/ })).toHaveAttribute("data-x-to", String(to));
    await snap(panel, "tenant-charts-zoomed");

    // Back returns to the range before the zoom.
    await page.goBack();
    await expect(drawing).toHaveAttribute("data-x-from", String(window.from));
  });

  test("is told what is wrong with a range in the address, and a preset mends it", async ({ page }) => {
    await page.goto("/t/contoso?from=now-1h&to=now-2h");
    const panel = page.getByRole("region", { name: "Tunnel health and latency" }).getByRole("article", { name: /^primary/ });
    await expect(panel.getByRole("alert")).toContainText("The time range in the address cannot be shown: from (");
    await expect(panel.getByRole("alert")).toContainText("must be before to");
    await panel.getByRole("group", { name: "Time range for tunnel primary" }).locator("label").filter({ hasText: /^6 h$/ }).click();
    await expect(page).toHaveURL(/\/t\/contoso\?range=6h$/);
    await expect(panel.getByRole("figure", { name: /^Round-trip time/ }).getByRole("img", { name: /^Round-trip time over the last 6 hours/ })).toBeVisible();
    await expect(panel.getByRole("alert")).toHaveCount(0);
  });

  test("a custom range typed in the form is refused with the reason, or applied to the address", async ({ page }) => {
    await page.goto("/t/contoso?range=1h");
    const panel = page.getByRole("region", { name: "Tunnel health and latency" }).getByRole("article", { name: /^primary/ });
    const form = panel.getByRole("form", { name: "Custom time range" });
    await form.getByRole("textbox", { name: "From (UTC)" }).fill("2026-02-30 10:00");
    await form.getByRole("button", { name: "Apply" }).click();
    await expect(form.getByRole("alert")).toContainText("is not a date and time that exists");
    await expect(form.getByRole("textbox", { name: "From (UTC)" })).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\?range=1h$/);
    await form.getByRole("textbox", { name: "From (UTC)" }).fill("now-20m");
    await form.getByRole("textbox", { name: "To (UTC)" }).fill("now-5m");
    await form.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/\?from=now-20m&to=now-5m$/);
    const drawing = panel.getByRole("figure", { name: /^Round-trip time/ }).getByRole("img", { name: /^Round-trip time over/ });
    // The previous hour stays drawn (dimmed) until the new window arrives; then it spans 15 minutes.
    await expect
      .poll(async () => {
        const [from, to] = await Promise.all([drawing.getAttribute("data-x-from"), drawing.getAttribute("data-x-to")]);
        return Number(to) - Number(from);
      })
      .toBe(15 * MINUTE);
  });
});

test.describe("an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("compares a tenant's two tunnels on one chart, the choice kept in the address", async ({ page }) => {
    const window = backfilledWindow();
    await page.goto(`/admin/tenants`);
    await page.getByRole("link", { name: "Tailspin Toys" }).click();
    await expect(page).toHaveURL(/\/t\/tailspin/);
    const compare = page.getByRole("article", { name: "Compare tunnels" });
    const first = compare.getByRole("combobox", { name: "First tunnel" });
    const second = compare.getByRole("combobox", { name: "Second tunnel" });
    await expect(first).toHaveValue(/./);
    const [primaryId, redundantId] = [await first.inputValue(), await second.inputValue()];
    expect(primaryId).not.toBe(redundantId);
    // Swap the order through the choices: the address carries it, and a reload keeps it.
    await first.selectOption({ label: "redundant #2" });
    await expect(page).toHaveURL(new RegExp(`compare=${redundantId}%2C${primaryId}|compare=${redundantId},${primaryId}`));
    await page.goto(`${new URL(page.url()).pathname}?compare=${redundantId},${primaryId}&from=${iso(window.from)}&to=${iso(window.to)}`);
    await expect(first).toHaveValue(redundantId);
    await expect(second).toHaveValue(primaryId);
    const rtt = compare.getByRole("figure", { name: /^Round-trip time/ });
    await expect(rtt.getByRole("listitem")).toHaveText([/^redundant: from the source gateway/, /^primary: from the source gateway/]);
    await expect(rtt.getByRole("img", { name: /^Round-trip time over/ })).toHaveAttribute("data-x-from", String(window.from));
    await expect(compare.getByRole("figure", { name: /^Throughput source → AVS/ }).getByRole("listitem")).toHaveCount(2);
    await snap(compare, "tenant-compare");
    // A tunnel of another tenant in the address is not shown: the page falls back to its own two.
    await page.goto(`${new URL(page.url()).pathname}?compare=00000000-0000-4000-8000-000000000000,${primaryId}`);
    await expect(first).toHaveValue(primaryId);
    await expect(second).toHaveValue(redundantId);
  });
});

/** The id of the tenant's tunnel named `name`, from the automation API (the tenant's own user may read it). */
async function tunnelIdOf(page: Page, slug = "contoso", name = "primary"): Promise<string> {
  const response = await page.request.get(`/api/v1/tenants/${slug}`);
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { tunnels: { id: string; name: string }[] };
  return body.tunnels.find((t) => t.name === name)!.id;
}
