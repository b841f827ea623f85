/**
 * The pair helper's ARP sweep runs in the background after a takeover and for seconds after the
 * helper exits. It must not keep the helper's lock (fd 9): a FAULT notify waiting for that lock
 * would close its end's port only once the sweep was over, with the other end's port open
 * already (found by the fourth round's review). The helper's own `sweep` and
 * `sweep_in_background`, taken from the generated file, run under the lock with an arp-scan that
 * waits until the test lets it go; the lock must be free while it waits.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONTOSO_PAIR_INPUTS } from "@/tests/support/gateway-inputs";
import { variant } from "@/tests/support/gateway-variants";
import { renderLinuxVxlanScripts } from "./linux-iproute2";

function helperFunction(helper: string, name: string): string {
  const start = helper.indexOf(`${name}() {`);
  if (start < 0) throw new Error(`the helper has no ${name}()`);
  // A one-line function ends with its line; a longer one at the first line that is a lone "}".
  const firstLine = helper.slice(start, helper.indexOf("\n", start));
  if (firstLine.trimEnd().endsWith("}")) return firstLine;
  return helper.slice(start, helper.indexOf("\n}\n", start) + 2);
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the pair helper's background ARP sweep", () => {
  it("does not hold the helper's lock while it runs", { timeout: 30_000 }, async () => {
    const context = variant(CONTOSO_PAIR_INPUTS[0], () => {});
    const helper = renderLinuxVxlanScripts(context, "source", { title: "t", applyCommand: "a", teardownCommand: "b" }).pair?.helper;
    if (!helper) throw new Error("expected pair files");
    dir = mkdtempSync(path.join(tmpdir(), "bh-sweep-lock-"));
    const [lock, started, release, bin] = ["lock", "started", "release", "bin"].map((name) => path.join(dir!, name));
    spawnSync("mkdir", [bin!]);
    spawnSync("mkfifo", [release!]);
    // The stand-in arp-scan says it started, then waits for the test: the sweep lasts as long as the test needs.
    writeFileSync(path.join(bin!, "arp-scan"), `#!/bin/sh\ntouch "${started}"\nread line < "${release}"\n`, { mode: 0o755 });
    const script = [
      "set -eu",
      "say() { :; }",
      `SWEEP_SUBNET=192.0.2.0/30 LAN_PORT=eth1 SWEEP_MAC=02:00:00:00:00:01 PATH="${bin}:$PATH"`,
      helperFunction(helper, "sweep"),
      helperFunction(helper, "sweep_in_background"),
      `exec 9>"${lock}"`,
      "flock 9",
      "sweep_in_background",
    ].join("\n");
    expect(spawnSync("bash", ["-c", script], { timeout: 10_000 }).status).toBe(0);
    // The helper has exited; its sweep runs on.
    for (const until = Date.now() + 10_000; !existsSync(started!); await new Promise((resolve) => setTimeout(resolve, 20))) {
      if (Date.now() > until) throw new Error("the stand-in arp-scan never started");
    }
    // The next notify's flock: at once when the sweep let the lock go, never (10 s, then exit 1) when it kept it.
    const next = spawnSync("flock", ["-w", "10", lock!, "true"]);
    // Let the sweep end either way.
    const opener = spawn("sh", ["-c", `echo go > "${release}"`]);
    await new Promise((resolve) => opener.on("exit", resolve));
    expect(next.status).toBe(0);
  });
});
