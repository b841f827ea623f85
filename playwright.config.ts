import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
// A data folder of its own per run, outside the repository.
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `bridgehead-e2e-${process.pid}-${Date.now()}`);
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  // `npm test` asks for a JSON report too (PLAYWRIGHT_JSON_OUTPUT_NAME) to count the run's tests.
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }], ...(process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["json"] as ["json"]] : [])],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    // The console's public origin: the built-in identity provider's issuer hangs off it.
    baseURL: `https://localhost:${port}`,
    // The console's self-signed certificate, made on first start in the run's data folder.
    ignoreHTTPSErrors: true,
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    // Signs each persona in once through the real MSAL redirect flow and saves its session.
    { name: "setup", testMatch: /.*\.setup\.ts/, use: { ...devices["Desktop Chrome"] } },
    { name: "chromium", dependencies: ["setup"], use: { ...devices["Desktop Chrome"] } },
  ],
  webServer: {
    command: "node scripts/start.mjs",
    url: `https://127.0.0.1:${port}/api/health`,
    ignoreHTTPSErrors: true,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: `https://localhost:${port}`, DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" },
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  },
});
