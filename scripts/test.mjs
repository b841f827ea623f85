// `npm test`: the whole suite. Builds when needed, then runs Vitest and Playwright, both every
// time, so one run shows the whole picture, and fails when either failed. Every temporary folder
// the tests make (PGlite data, the console's data folders, PostgreSQL's cluster, gateway
// sandboxes) lands under one root that is removed at the end, whatever happened.
//
// The last line counts both runners from their JSON reports, not from their console output:
// tests: <passed> passed, <failed> failed, <flaky> flaky, <skipped> skipped (vitest …; playwright …)
// A suite that fails before its tests run (a hook, an import) counts as failed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-test-"));
// PostgreSQL runs as the postgres user and must reach its folder inside this one.
fs.chmodSync(tmp, 0o755);
const reports = { vitest: path.join(tmp, "vitest.json"), playwright: path.join(tmp, "playwright.json") };
const env = { ...process.env, TMPDIR: tmp, PLAYWRIGHT_JSON_OUTPUT_NAME: reports.playwright };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  return result.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

let status = 0;
let built = false;
let vitest = null;
let playwright = null;
try {
  const build = run("node", ["scripts/start.mjs", "--build-only"]);
  if (build !== 0) {
    status = build;
  } else {
    built = true;
    const unit = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${reports.vitest}`]);
    const e2e = run("npx", ["playwright", "test"]);
    status = unit || e2e;
    vitest = readJson(reports.vitest);
    playwright = readJson(reports.playwright);
    // A runner that died before writing its report has not passed, whatever it returned.
    if (!vitest || !playwright) status ||= 1;
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const unit = vitest
  ? {
      passed: vitest.numPassedTests,
      failed: vitest.numFailedTests,
      // Files that failed outside any test (a hook, an import): their tests show as skipped.
      failedSuites: vitest.testResults.filter((file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")).length,
      skipped: vitest.numPendingTests + vitest.numTodoTests,
    }
  : { passed: 0, failed: 0, failedSuites: vitest === null ? 1 : 0, skipped: 0 };
const stats = playwright?.stats ?? { expected: 0, unexpected: playwright === null ? 1 : 0, flaky: 0, skipped: 0 };
const e2e = { passed: stats.expected, failed: stats.unexpected, flaky: stats.flaky, skipped: stats.skipped };

if (!built) {
  console.log("tests: 0 passed, 1 failed, 0 flaky, 0 skipped (the build failed; no test ran)");
  process.exit(status);
}
const passed = unit.passed + e2e.passed;
const failed = unit.failed + unit.failedSuites + e2e.failed;
console.log(
  `tests: ${passed} passed, ${failed} failed, ${e2e.flaky} flaky, ${unit.skipped + e2e.skipped} skipped` +
    ` (vitest ${unit.passed} passed, ${unit.failed} failed, ${unit.failedSuites} failed suites, ${unit.skipped} skipped;` +
    ` playwright ${e2e.passed} passed, ${e2e.failed} failed, ${e2e.flaky} flaky, ${e2e.skipped} skipped)`,
);
process.exit(status);
