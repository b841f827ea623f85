/**
 * Tests that check generated gateway configs with real tools (bash, shellcheck, cloud-init, nft,
 * ip netns) run them when the machine has them. Elsewhere they skip and say why in the test's
 * name, except under REQUIRE_GATEWAY_TOOLS=1 (CI), where a missing tool fails the run instead of
 * quietly skipping the proof.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { describe, it } from "vitest";

export const REQUIRE_GATEWAY_TOOLS = process.env.REQUIRE_GATEWAY_TOOLS === "1";

/** Something a test needs from the machine. `missing` says why it is not there, or null. */
export type Requirement = { name: string; missing: () => string | null };

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { stdio: "ignore" }).status === 0;
}

/** A command on PATH, with the Debian package that provides it. */
export function tool(name: string, debianPackage = name): Requirement {
  return { name, missing: () => (hasTool(name) ? null : `${name} is not installed (apt-get install ${debianPackage})`) };
}

export const runningAsRoot: Requirement = {
  name: "root",
  missing: () => (process.getuid?.() === 0 ? null : "it needs root"),
};

/** Can this process make (and remove) a network namespace? Containers without CAP_SYS_ADMIN cannot. */
export const networkNamespaces: Requirement = {
  name: "ip netns",
  missing: () => {
    if (!hasTool("ip")) return "ip is not installed (apt-get install iproute2)";
    const probe = `bh-probe-${randomBytes(4).toString("hex")}`;
    const added = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
    if (added.status !== 0) return `ip netns add fails here: ${added.stderr.trim() || `exit ${added.status}`}`;
    spawnSync("ip", ["netns", "del", probe], { stdio: "ignore" });
    return null;
  },
};

/** PyYAML, the parser cloud-init itself uses, so a test reads user data exactly as a VM would. */
export const pyYaml: Requirement = {
  name: "python3-yaml",
  missing: () =>
    spawnSync("python3", ["-c", "import yaml"], { stdio: "ignore" }).status === 0 ? null : "python3 with PyYAML is not installed (apt-get install python3-yaml)",
};

type Needs = string | Requirement | (string | Requirement)[];

const reasons = new Map<string, string | null>();

/** Why these requirements are not met (each checked once per run), or null when they all are. */
export function unmet(needs: Needs): string | null {
  const list = (Array.isArray(needs) ? needs : [needs]).map((need) => (typeof need === "string" ? tool(need) : need));
  const missing = list
    .map((need) => {
      if (!reasons.has(need.name)) reasons.set(need.name, need.missing());
      return reasons.get(need.name) ?? null;
    })
    .filter((reason): reason is string => reason !== null);
  return missing.length ? missing.join("; ") : null;
}

function skippedName(name: string, reason: string) {
  return `${name} [SKIPPED: ${reason}; REQUIRE_GATEWAY_TOOLS=1 makes this fail]`;
}

function requiredFailure(reason: string): () => never {
  return () => {
    throw new Error(`REQUIRE_GATEWAY_TOOLS=1, but ${reason}.`);
  };
}

/** A suite that needs tools: runs with them, skips with the reason in its name without, fails without under REQUIRE_GATEWAY_TOOLS=1. */
export function describeWithTool(needs: Needs, name: string, suite: () => void): void {
  const reason = unmet(needs);
  if (reason === null) describe(name, suite);
  else if (REQUIRE_GATEWAY_TOOLS) describe(name, () => it("has the tools it needs", requiredFailure(reason)));
  else describe.skip(skippedName(name, reason), suite);
}

/** One test that needs tools, with the same rules as describeWithTool. */
export function itWithTool(needs: Needs, name: string, test: () => void | Promise<void>, timeout?: number): void {
  const reason = unmet(needs);
  if (reason === null) it(name, test, timeout);
  else if (REQUIRE_GATEWAY_TOOLS) it(name, requiredFailure(reason));
  else it.skip(skippedName(name, reason), test);
}

/** Runs a command with input on stdin; returns its exit status and output (never throws on failure). */
export function runTool(command: string, args: string[], input?: string) {
  const result = spawnSync(command, args, { input, encoding: "utf8", timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}

/** Parses YAML with PyYAML's safe_load, as cloud-init does. Throws with the parser's message on bad YAML. */
export function loadYaml(text: string): unknown {
  const result = runTool("python3", ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"], text);
  if (result.status !== 0) throw new Error(`PyYAML refused the document: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}
