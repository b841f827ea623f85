/**
 * The agent's bearer token lives in its own environment (systemd's EnvironmentFile=) and must
 * stay there: the measuring tools it runs (ping, tracepath, traceroute, bridge) need none of it,
 * and a child's environment is one more place a token can be read from (/proc/<pid>/environ,
 * crash reports, a wrapper script that logs its environment).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONTOSO_INPUT } from "@/tests/support/gateway-inputs";
import { AGENT_SCRIPT } from "./telemetry-agent-script";

const PYTHON = "/usr/bin/python3";

describe.skipIf(!existsSync(PYTHON))("the telemetry agent's child processes", () => {
  it("run without the agent token in their environment", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bh-agent-env-"));
    const bin = path.join(dir, "bin");
    const dump = path.join(dir, "children.env");
    mkdirSync(bin);
    // Stand-ins for the measuring tools: each records the environment it was given, then fails.
    for (const name of ["ping", "tracepath", "traceroute", "bridge"]) {
      const file = path.join(bin, name);
      writeFileSync(file, `#!/bin/sh\necho "== ${name}" >>"${dump}"\nenv >>"${dump}"\nexit 2\n`);
      chmodSync(file, 0o755);
    }
    const script = path.join(dir, "bridgehead-agent.py");
    writeFileSync(script, AGENT_SCRIPT, { mode: 0o755 });
    const token = CONTOSO_INPUT.tunnel.source.agentToken!;
    // Only what systemd would give the service, from the generated env file's keys.
    const env: Record<string, string> = {
      PATH: `${bin}:/usr/bin:/bin`,
      AGENT_TOKEN: token,
      // Nothing listens on port 1: the run ends with the sample spooled (75), after measuring.
      CONSOLE_URL: "https://127.0.0.1:1",
      PEER: "192.0.2.1",
      PEER_TENANT_PROBE_MTU: "1377",
      TUNNEL_OVERHEAD_BYTES: "123",
      BRIDGE_DEVICE: "br110",
      STATE_DIRECTORY: path.join(dir, "state"),
    };
    const run = spawnSync(PYTHON, ["-I", script], { encoding: "utf8", timeout: 30_000, env: env as NodeJS.ProcessEnv });
    expect(run.status, run.stderr).toBe(75);
    const children = readFileSync(dump, "utf8");
    // The stand-ins ran, with the settings a tool may use (the C locale) …
    expect(children).toMatch(/== ping[\s\S]*LC_ALL=C/);
    expect(children).toMatch(/== tracepath/);
    // … and without the token, under its own name or any other.
    expect(children).not.toContain("AGENT_TOKEN");
    expect(children).not.toContain(token);
  });
});
