import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfig } from "@/lib/config";
import { loadTlsMaterial } from "@/lib/server/tls";
import { sampleSchema, telemetryBatchSchema, type TelemetrySample } from "@/lib/validation/telemetry";
import { itWithTool, runningAsRoot, tool, type Requirement } from "@/tests/support/gateway-tools";
import { CONTOSO_CUTOVER_INPUT, CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import type { EndpointSide, GatewayContext } from "../types";
import { AGENT_PATHS, telemetryAgentTarget } from "./telemetry-agent";
import { AGENT_SCRIPT } from "./telemetry-agent-script";
import { variant } from "@/tests/support/gateway-variants";

const contoso = variant(CONTOSO_INPUT);
const fabrikam = variant(FABRIKAM_INPUT);
const contosoV6 = variant(CONTOSO_INPUT, (input) => {
  input.tunnel.source.underlayIp = "2001:db8:10::10";
  input.tunnel.avs.underlayIp = "2001:db8:20::10";
});

function agentFile(context: GatewayContext, side: EndpointSide, name: string): string {
  const file = telemetryAgentTarget.generate(context).find((f) => f.path === `${side}/agent/${name}`);
  if (!file) throw new Error(`no ${side}/agent/${name}`);
  return file.contents;
}

/** KEY=value lines as systemd's EnvironmentFile= reads them (comments start with # or ;). */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const at = trimmed.indexOf("=");
    if (at < 1) throw new Error(`not a KEY=value line: ${line}`);
    env[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return env;
}

/** [Section] Key=value lines of a unit file. */
function unitSettings(text: string): string[] {
  let section = "";
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    if (line.startsWith("[")) section = line;
    else out.push(`${section} ${line}`);
  }
  return out;
}

describe("telemetryAgentTarget", () => {
  it("writes the program, its settings, a service and a timer for each end; the file with the token is private", () => {
    expect(telemetryAgentTarget.appliesTo(contoso) && telemetryAgentTarget.appliesTo(fabrikam)).toBe(true);
    expect(telemetryAgentTarget.generate(contoso).map((f) => [f.path, f.mode])).toEqual(
      (["source", "avs"] as const).flatMap((side) => [
        [`${side}/agent/bridgehead-agent.py`, 0o755],
        [`${side}/agent/bridgehead-agent.env`, 0o600],
        [`${side}/agent/bridgehead-agent.service`, 0o644],
        [`${side}/agent/bridgehead-agent.timer`, 0o644],
      ]),
    );
  });

  it("ships the same program to every end of every tenant: no tenant value is ever written into code", () => {
    const programs = [contoso, fabrikam, contosoV6].flatMap((context) => (["source", "avs"] as const).map((side) => agentFile(context, side, "bridgehead-agent.py")));
    expect(new Set(programs)).toEqual(new Set([AGENT_SCRIPT]));
    for (const value of ["contoso", "fabrikam", "10.120.8.10", "198.51.100.10", "agt_A", "vx10110", "br110", "1377"]) expect(AGENT_SCRIPT).not.toContain(value);
  });

  it("puts this end's settings in the env file: console, own token, the peer, the probe sizes, the device names", () => {
    expect(parseEnv(agentFile(contoso, "source", "bridgehead-agent.env"))).toEqual({
      CONSOLE_URL: "https://bridgehead.example.com",
      AGENT_TOKEN: CONTOSO_INPUT.tunnel.source.agentToken,
      PEER: "10.120.8.10",
      PEER_TENANT_PROBE_MTU: "1377",
      TUNNEL_OVERHEAD_BYTES: "123",
      VXLAN_DEVICE: "vx10110",
      BRIDGE_DEVICE: "br110",
      // Before a cut-over plan, the subnet's first host: the usual gateway.
      GATEWAY_PROBE: "192.168.10.1",
    });
    expect(parseEnv(agentFile(contoso, "avs", "bridgehead-agent.env"))).toMatchObject({ AGENT_TOKEN: CONTOSO_INPUT.tunnel.avs.agentToken, PEER: "198.51.100.10" });
  });

  it("probes the planned cut-over gateway once there is a plan, and nothing on an IPv6 subnet (ARP has no IPv6 probe)", () => {
    const planned = variant({ ...CONTOSO_CUTOVER_INPUT, stretch: { ...CONTOSO_CUTOVER_INPUT.stretch!, gatewayAddress: "192.168.10.254/24" } });
    expect(parseEnv(agentFile(planned, "source", "bridgehead-agent.env")).GATEWAY_PROBE).toBe("192.168.10.254");
    const v6Subnet = variant(CONTOSO_INPUT, (input) => void (input.tenant.subnet = "2001:db8:10::/64"));
    expect(parseEnv(agentFile(v6Subnet, "source", "bridgehead-agent.env")).GATEWAY_PROBE).toBeUndefined();
  });

  it("sizes the don't-fragment probe as the underlay packet a full tenant packet becomes, inside the schema's bounds", () => {
    for (const context of [contoso, contosoV6, fabrikam]) {
      const env = parseEnv(agentFile(context, "source", "bridgehead-agent.env"));
      const bytes = Number(env.PEER_TENANT_PROBE_MTU) + Number(env.TUNNEL_OVERHEAD_BYTES);
      expect(Number(env.PEER_TENANT_PROBE_MTU)).toBe(context.mtu.innerMtu);
      expect(bytes).toBe(context.mtu.underlayMtu);
      expect(sampleSchema.safeParse({ measuredAt: "2026-11-21T10:00:00Z", dfProbe: { bytes, ok: true } }).success).toBe(true);
    }
  });

  it("leaves the token empty with instructions when none was issued for the end", () => {
    const text = agentFile(fabrikam, "avs", "bridgehead-agent.env");
    expect(parseEnv(text).AGENT_TOKEN).toBe("");
    expect(text).toMatch(/# NO AGENT TOKEN YET\..*\n# open the tenant's page, rotate this end's agent token, and paste it after AGENT_TOKEN=/);
    expect(parseEnv(agentFile(fabrikam, "source", "bridgehead-agent.env")).AGENT_TOKEN).toBe(FABRIKAM_INPUT.tunnel.source.agentToken);
  });

  it("runs the agent as a hardened oneshot with only CAP_NET_RAW, every 30 s with 1 s accuracy", () => {
    expect(unitSettings(agentFile(contoso, "source", "bridgehead-agent.service"))).toEqual(
      expect.arrayContaining([
        "[Service] Type=oneshot",
        `[Service] EnvironmentFile=${AGENT_PATHS.env}`,
        `[Service] ExecStart=/usr/bin/python3 -I ${AGENT_PATHS.script}`,
        "[Service] DynamicUser=yes",
        "[Service] NoNewPrivileges=yes",
        "[Service] ProtectSystem=strict",
        "[Service] AmbientCapabilities=CAP_NET_RAW",
        "[Service] CapabilityBoundingSet=CAP_NET_RAW",
        "[Service] StateDirectory=bridgehead-agent",
      ]),
    );
    expect(unitSettings(agentFile(contoso, "source", "bridgehead-agent.timer"))).toEqual([
      "[Unit] Description=Run the Bridgehead telemetry agent every 30 s",
      "[Timer] OnActiveSec=10s",
      "[Timer] OnUnitActiveSec=30s",
      "[Timer] AccuracySec=1s",
      "[Timer] Unit=bridgehead-agent.service",
      "[Install] WantedBy=timers.target",
    ]);
  });
});

// ---- Real tools: systemd, Python, and the agent itself against an HTTPS server -----------------

const work = mkdtempSync(path.join(tmpdir(), "bh-agent-"));
// The unprivileged-user test runs the agent from here: everyone may traverse it.
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SERVICE = agentFile(contoso, "source", "bridgehead-agent.service");
/** The interpreter and its flags, exactly as the unit's ExecStart runs the agent. */
const [PYTHON = "", ...PYTHON_FLAGS] = (/^ExecStart=(.*)$/m.exec(SERVICE)?.[1] ?? "").split(" ").slice(0, -1);
const python: Requirement = {
  name: PYTHON,
  missing: () => (existsSync(PYTHON) ? null : `${PYTHON} is not installed (apt-get install python3)`),
};

function writeIn(dir: string, name: string, contents: string, mode = 0o644): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, contents, { mode });
  chmodSync(file, mode);
  return file;
}

describe("telemetryAgentTarget's units and program with the real tools", () => {
  /** Everything systemd-analyze says about the two units; it exits 0 after mere warnings (unknown keys, bad values), so any output is a problem. */
  function verify(service: string, timer: string): string {
    const dir = mkdtempSync(path.join(work, "units-"));
    const files = [writeIn(dir, "bridgehead-agent.service", service), writeIn(dir, "bridgehead-agent.timer", timer)];
    const run = spawnSync("systemd-analyze", ["verify", "--man=no", ...files], { encoding: "utf8" });
    return `${run.status === 0 ? "" : `exit ${run.status}\n`}${run.stdout}${run.stderr}`.trim();
  }

  itWithTool(tool("systemd-analyze", "systemd"), "systemd-analyze verify accepts the service and the timer of both ends, and flags broken ones", () => {
    for (const side of ["source", "avs"] as const) {
      expect(verify(agentFile(contoso, side, "bridgehead-agent.service"), agentFile(contoso, side, "bridgehead-agent.timer"))).toBe("");
    }
    const timer = agentFile(contoso, "source", "bridgehead-agent.timer");
    expect(verify(SERVICE.replace("Type=oneshot", "Tpye=oneshot"), timer)).toMatch(/Unknown key/);
    expect(verify(SERVICE, timer.replace("OnUnitActiveSec=30s", "OnUnitActiveSec=thirty"))).toMatch(/thirty/);
    expect(verify(SERVICE.replace("ExecStart=/usr/bin/python3", "ExecStart=/usr/bin/no-such-python"), timer)).toMatch(/no-such-python/);
  });

  itWithTool(python, "the program compiles, and parses with Python 3.9's grammar (Debian 11, RHEL 9); a broken one does not", () => {
    const check = (source: string) => {
      const file = writeIn(mkdtempSync(path.join(work, "py-")), "bridgehead-agent.py", source, 0o755);
      const compiled = spawnSync(PYTHON, ["-m", "py_compile", file], { encoding: "utf8" });
      const grammar = spawnSync(PYTHON, ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 9))", file], { encoding: "utf8" });
      return `${compiled.stderr}${grammar.stderr}`.trim();
    };
    expect(check(AGENT_SCRIPT)).toBe("");
    expect(check(AGENT_SCRIPT.replace("def main():", "def main()"))).toMatch(/SyntaxError/);
    expect(check(AGENT_SCRIPT.replace("def main():", "def main():\n    match 1:\n        case _:\n            pass"))).toMatch(/SyntaxError|pattern matching/i);
  });
});

type Recorded = { method?: string; path?: string; authorization?: string | null; contentType?: string | null; body?: string; tlsError?: string };

const SERVER_SCRIPT = path.resolve(import.meta.dirname, "../../../tests/support/telemetry-agent-test-server.mjs");
let certFile = "";
let keyFile = "";

beforeAll(async () => {
  // The console's own self-signed certificate, made the way the console makes it.
  const dataDir = mkdtempSync(path.join(work, "console-"));
  chmodSync(dataDir, 0o755);
  const tls = await loadTlsMaterial({ dataDir, tls: { enabled: true } } as AppConfig);
  certFile = tls.certFile;
  keyFile = path.join(path.dirname(tls.certFile), "self-signed-key.pem");
  chmodSync(path.dirname(tls.certFile), 0o755);
});

async function startServer(status: number, retryAfter?: string) {
  const log = writeIn(mkdtempSync(path.join(work, "server-")), "requests.log", "");
  const child = spawn(process.execPath, [SERVER_SCRIPT, certFile, keyFile, log, String(status), ...(retryAfter ? [retryAfter] : [])], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /port=(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    void exited.then(() => reject(new Error(`the test server exited before listening:\n${output}`)));
  });
  return {
    url: `https://127.0.0.1:${port}`,
    requests: (): Recorded[] => readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Recorded),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** An agent install: the program, a state directory, and the environment systemd would give it from the generated env file. */
function installAgent(context: GatewayContext, side: EndpointSide, consoleUrl: string) {
  const dir = mkdtempSync(path.join(work, "agent-"));
  chmodSync(dir, 0o755);
  const script = writeIn(dir, "bridgehead-agent.py", agentFile(context, side, "bridgehead-agent.py"), 0o755);
  const stateDir = path.join(dir, "state");
  const env: Record<string, string> = {
    ...parseEnv(agentFile(context, side, "bridgehead-agent.env")),
    // The test machine stands in for both the console and the peer.
    CONSOLE_URL: consoleUrl,
    PEER: "127.0.0.1",
    CA_FILE: certFile,
    STATE_DIRECTORY: stateDir,
    // systemd's default PATH for services.
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  };
  return {
    env,
    stateDir,
    script,
    run(overrides: Record<string, string | undefined> = {}, prefix: string[] = []) {
      const merged = Object.fromEntries(Object.entries({ ...env, ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined));
      const [command = PYTHON, ...args] = [...prefix, PYTHON, ...PYTHON_FLAGS, script];
      // Only what systemd would give the service: no NODE_ENV or anything else from the test runner.
      const result = spawnSync(command, args, { env: merged as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    spool: (): TelemetrySample[] => JSON.parse(readFileSync(path.join(stateDir, "spool.json"), "utf8")) as TelemetrySample[],
  };
}

/** The samples of one recorded POST, each checked against the console's strict schema. */
function samplesOf(request: Recorded | undefined): TelemetrySample[] {
  expect(request?.method).toBe("POST");
  expect(request?.path).toBe("/api/v1/telemetry");
  expect(request?.contentType).toBe("application/json");
  const body: unknown = JSON.parse(request?.body ?? "null");
  const list = body && typeof body === "object" && "samples" in body ? telemetryBatchSchema.parse(body).samples : [body];
  return list.map((sample) => sampleSchema.strict().parse(sample));
}

const AGENT_RUN = [python, tool("ping", "iputils-ping"), tool("tracepath", "iputils-tracepath")];

describe("the generated agent, run for real against an HTTPS console on 127.0.0.1", () => {
  itWithTool(AGENT_RUN, "measures the peer and posts one sample the console's schema accepts, with its bearer token, over verified TLS", async () => {
    // Nothing on this machine is called vx10110 or br110: the agent must leave those out, not fail.
    expect(existsSync("/sys/class/net/vx10110") || existsSync("/sys/class/net/br110")).toBe(false);
    const server = await startServer(202);
    try {
      const agent = installAgent(contoso, "source", server.url);
      const before = Date.now();
      const run = agent.run();
      const after = Date.now();
      expect(run, run.stderr).toMatchObject({ status: 0 });
      const requests = server.requests();
      expect(requests).toHaveLength(1);
      expect(requests[0]?.authorization).toBe(`Bearer ${CONTOSO_INPUT.tunnel.source.agentToken}`);
      // One sample on its own, not a batch.
      expect(JSON.parse(requests[0]?.body ?? "{}")).toHaveProperty("measuredAt");
      const [sample] = samplesOf(requests[0]);
      expect(Date.parse(sample?.measuredAt ?? "")).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(sample?.measuredAt ?? "")).toBeLessThanOrEqual(after);
      expect(sample?.measuredAt).toMatch(/Z$/);
      expect(sample).toMatchObject({ lossPct: 0, dfProbe: { bytes: 1500, ok: true }, path: [{ ttl: 1, address: "127.0.0.1" }] });
      expect(sample?.rttMs).toBeGreaterThan(0);
      expect(sample?.jitterMs).toBeGreaterThanOrEqual(0);
      expect(Object.keys(sample ?? {}).sort()).toEqual(["dfProbe", "jitterMs", "lossPct", "measuredAt", "path", "rttMs"]);
      expect(run.stderr).toMatch(/vx10110 has no readable counters/);
      expect(agent.spool()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  itWithTool(AGENT_RUN, "spools the sample while the console is unreachable and sends both on the next run", async () => {
    const down = await startServer(202);
    await down.stop();
    const agent = installAgent(contoso, "avs", down.url);
    const first = agent.run();
    expect(first.status).toBe(75);
    expect(first.stderr).toMatch(/unreachable .*1 sample\(s\) kept in the spool/);
    const spooled = agent.spool();
    expect(spooled).toHaveLength(1);

    const up = await startServer(202);
    try {
      const second = agent.run({ CONSOLE_URL: up.url });
      expect(second, second.stderr).toMatchObject({ status: 0 });
      const requests = up.requests();
      expect(requests).toHaveLength(1);
      expect(requests[0]?.authorization).toBe(`Bearer ${CONTOSO_INPUT.tunnel.avs.agentToken}`);
      const samples = samplesOf(requests[0]);
      expect(samples).toHaveLength(2);
      expect(samples[0]).toEqual(spooled[0]);
      expect(Date.parse(samples[1]?.measuredAt ?? "")).toBeGreaterThan(Date.parse(samples[0]?.measuredAt ?? ""));
      expect(agent.spool()).toEqual([]);
    } finally {
      await up.stop();
    }
  });

  itWithTool(AGENT_RUN, "honours 429 Retry-After: exits non-zero, keeps the sample, and does not post again before then", async () => {
    const server = await startServer(429, "120");
    try {
      const agent = installAgent(contoso, "source", server.url);
      const first = agent.run();
      expect(first.status).toBe(75);
      expect(first.stderr).toMatch(/429 .*Retry-After 120 s/);
      expect(server.requests()).toHaveLength(1);
      const second = agent.run();
      expect(second.status).toBe(75);
      expect(second.stderr).toMatch(/asked for a pause/);
      expect(server.requests()).toHaveLength(1);
      expect(agent.spool()).toHaveLength(2);
    } finally {
      await server.stop();
    }
  });

  itWithTool(AGENT_RUN, "caps a long backlog, drops what the console would refuse as too old, and sends it oldest first in batches", async () => {
    const server = await startServer(202);
    try {
      const agent = installAgent(contoso, "source", server.url);
      const now = Date.now();
      const at = (msAgo: number) => new Date(now - msAgo).toISOString();
      const recent = Array.from({ length: 500 }, (_, i) => ({ measuredAt: at((500 - i) * 30_000), rttMs: 1 }));
      const tooOld = [{ measuredAt: at(8 * 24 * 3600_000), rttMs: 1 }];
      // A re-send of one sample (same measuredAt) counts once.
      const backlog = [...tooOld, ...recent, { ...recent[10] }];
      writeIn(agent.stateDir, "spool.json", JSON.stringify(backlog), 0o600);

      const run = agent.run();
      expect(run, run.stderr).toMatchObject({ status: 0 });
      expect(run.stderr).toMatch(/spool is full: dropping the 21 oldest samples/);
      const requests = server.requests();
      const batches = requests.map((request) => samplesOf(request));
      expect(batches.map((batch) => batch.length)).toEqual([100, 100, 100, 100, 80]);
      for (const request of requests) expect(Buffer.byteLength(request.body ?? "")).toBeLessThan(1024 * 1024);
      const sent = batches.flat().map((sample) => sample.measuredAt);
      // The newest 480: the last 479 of the backlog and this run's own sample, in time order.
      expect(sent.slice(0, -1)).toEqual(recent.slice(21).map((sample) => sample.measuredAt));
      expect(Date.parse(sent.at(-1) ?? "")).toBeGreaterThanOrEqual(now);
      expect(agent.spool()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  itWithTool(AGENT_RUN, "drops samples the console refuses as invalid (400) instead of re-sending them forever, and says so", async () => {
    const server = await startServer(400);
    try {
      const agent = installAgent(contoso, "source", server.url);
      const run = agent.run();
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/refused 1 sample\(s\) with 400 and they were dropped: .*test server answers 400/);
      expect(agent.spool()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  itWithTool(python, "refuses to run without a token and says how to get one, sending nothing", async () => {
    const server = await startServer(202);
    try {
      // Fabrikam's AVS end has no token yet: its env file is used as generated.
      const agent = installAgent(fabrikam, "avs", server.url);
      const run = agent.run();
      expect(run.status).toBe(78);
      expect(run.stderr).toMatch(/AGENT_TOKEN is not set .*rotate this end's agent token/);
      expect(server.requests()).toEqual([]);
      expect(existsSync(path.join(agent.stateDir, "spool.json"))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  itWithTool([...AGENT_RUN, runningAsRoot, unshareNetMount], "in a pair, reports its end's role as the pair helper wrote it, and says when keepalived stopped checking", async () => {
    const server = await startServer(202);
    try {
      const primary = variant(CONTOSO_PAIR_INPUTS[0]);
      expect(parseEnv(agentFile(primary, "avs", "bridgehead-agent.env")).PAIR_STATE).toBe("/run/bridgehead/bh-contoso-t1-avs");
      const agent = installAgent(primary, "source", server.url);
      const role = '{"role":"standby","state":"BACKUP","since":"2026-11-21T10:00:00Z","reason":"peer-active","tunnel":1,"side":"source"}';
      // The helper's files where it writes them (a private /run); the check's heartbeat fresh, then ten minutes old.
      const inPair = (heartbeat: string) => [
        "unshare", "--mount", "bash", "-c",
        `mount -t tmpfs tmpfs /run && mkdir /run/bridgehead && echo '${role}' >/run/bridgehead/bh-contoso-t1-source.role && touch -d '${heartbeat}' /run/bridgehead/bh-contoso-t1-source.rx && exec "$@"`,
        "pair",
      ];
      expect(agent.run({}, inPair("now")).status).toBe(0);
      expect(agent.run({}, inPair("10 minutes ago")).status).toBe(0);
      const [fresh, silent] = server.requests().filter((r) => r.method).map((r) => samplesOf(r)[0]);
      expect(fresh?.pair).toEqual({ role: "standby", since: "2026-11-21T10:00:00Z", reason: "peer-active" });
      expect(silent?.pair).toEqual({ role: "standby", since: "2026-11-21T10:00:00Z", reason: "keepalived-silent" });
      // A PAIR_STATE outside the helper's folder is refused: the agent reads nothing it was not given.
      const refused = agent.run({ PAIR_STATE: "/etc/shadow" });
      expect(refused.status).toBe(78);
      expect(refused.stderr).toContain("PAIR_STATE");
    } finally {
      await server.stop();
    }
  });

  itWithTool(AGENT_RUN, "verifies the console's certificate: without CA_FILE the self-signed console is refused and the sample kept", async () => {
    const server = await startServer(202);
    try {
      const agent = installAgent(contoso, "source", server.url);
      const run = agent.run({ CA_FILE: undefined });
      expect(run.status).toBe(75);
      expect(run.stderr).toMatch(/certificate verify failed.*set CA_FILE/);
      expect(server.requests().filter((r) => r.method)).toEqual([]);
      expect(server.requests().some((r) => r.tlsError)).toBe(true);
      expect(agent.spool()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  itWithTool([...AGENT_RUN, runningAsRoot, tool("setpriv", "util-linux")], "works under the unit's privileges: an unprivileged user, no_new_privs, only the unit's capabilities", async () => {
    const caps = (key: string) => /^(\S+)=(.*)$/m.exec(SERVICE.split("\n").find((line) => line.startsWith(`${key}=`)) ?? "")?.[2]?.split(" ") ?? [];
    const ambient = caps("AmbientCapabilities").map((cap) => cap.replace(/^CAP_/, "").toLowerCase());
    const bounding = caps("CapabilityBoundingSet").map((cap) => cap.replace(/^CAP_/, "").toLowerCase());
    expect(ambient).toEqual(["net_raw"]);
    const server = await startServer(202);
    try {
      const agent = installAgent(contoso, "source", server.url);
      mkdirSync(agent.stateDir, { mode: 0o700 });
      chownSync(agent.stateDir, 65534, 65534);
      const list = (names: string[]) => ["-all", ...names.map((name) => `+${name}`)].join(",");
      const run = agent.run({}, [
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--no-new-privs",
        `--inh-caps=${list(ambient)}`, `--ambient-caps=${list(ambient)}`, `--bounding-set=${list(bounding)}`,
      ]);
      expect(run, run.stderr).toMatchObject({ status: 0 });
      const [sample] = samplesOf(server.requests()[0]);
      expect(sample).toMatchObject({ lossPct: 0, dfProbe: { bytes: 1500, ok: true } });
      expect(sample?.rttMs).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});

const unshareNetMount: Requirement = {
  name: "unshare --net --mount",
  missing: () => {
    const probe = spawnSync("unshare", ["--net", "--mount", "true"], { encoding: "utf8" });
    return probe.status === 0 ? null : `unshare --net --mount fails here: ${probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`)}`;
  },
};

describe("the generated agent on a real bridge and VXLAN device, in a network namespace", () => {
  itWithTool([...AGENT_RUN, runningAsRoot, unshareNetMount, tool("ip", "iproute2"), tool("bridge", "iproute2")], "reads the tunnel counters, the bridge's broadcast rate and its learned MACs, by side", () => {
    const frames = 400;
    const macs = 5;
    const agent = installAgent(contoso, "source", "https://set-by-the-harness.invalid");
    const dir = mkdtempSync(path.join(work, "netns-"));
    const run = spawnSync(
      "unshare",
      ["--net", "--mount", "--fork", "bash", path.resolve(import.meta.dirname, "../../../tests/support/telemetry-agent-harness.sh"), dir, process.execPath, SERVER_SCRIPT, certFile, keyFile, PYTHON, agent.script, String(frames), String(macs)],
      { env: { ...agent.env, CONSOLE_URL: "" } as Record<string, string> as NodeJS.ProcessEnv, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const times = Object.fromEntries([...run.stdout.matchAll(/^(run\d-(?:start|end)) (\S+)/gm)].map((m) => [m[1], Number(m[2])]));
    expect(run.stdout).toMatch(/run1-end \S+ status 0\n/);
    expect(run.stdout).toMatch(/run2-end \S+ status 0\n/);
    const requests = readFileSync(path.join(dir, "requests.log"), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Recorded);
    expect(requests).toHaveLength(2);
    const [first] = samplesOf(requests[0]);
    const [second] = samplesOf(requests[1]);

    // Counters: a freshly made VXLAN device, then every broadcast flooded out through it.
    expect(first?.counters).toMatchObject({ rxPackets: 0, rxBytes: 0 });
    // (and the first run's gateway probe, sent after that run read the counters: a broadcast, flooded into the tunnel too).
    expect((second?.counters?.txPackets ?? 0) - (first?.counters?.txPackets ?? 0)).toBe(frames + 1);
    expect(second?.counters?.txBytes).toBeGreaterThan(first?.counters?.txBytes ?? Infinity);
    // Rate: none on the first run (nothing to compare with); then our frames over the time between the two readings.
    expect(first?.bumPps).toBeUndefined();
    const longest = (times["run2-end"] ?? 0) - (times["run1-start"] ?? 0);
    const shortest = (times["run2-start"] ?? 0) - (times["run1-end"] ?? 0);
    expect(second?.bumPps).toBeGreaterThanOrEqual(frames / longest - 0.01);
    expect(second?.bumPps).toBeLessThanOrEqual(frames / shortest + 0.01);
    // Learned MACs: none before any workstation spoke, then exactly the ones that did.
    // (and the host that answered the gateway probe).
    expect(first?.learnedMacs).toBe(0);
    expect(second?.learnedMacs).toBe(macs + 1);
    // And which ones, by side: the workstations on this side's port, the workload learned through the tunnel.
    const workstations = Array.from({ length: macs }, (_, i) => `02:00:00:00:00:0${i + 1}`);
    expect(first?.macs).toEqual({ local: [], tunnel: [], truncated: false });
    expect(second?.macs).toEqual({ local: [...workstations, "02:00:00:00:00:77"], tunnel: ["02:00:00:00:aa:01"], truncated: false });
    // The gateway probe: nobody held the address on the first run; then the host that took it.
    expect(first?.gatewayProbe).toEqual({ address: "192.168.10.1", answeredBy: [] });
    expect(second?.gatewayProbe).toEqual({ address: "192.168.10.1", answeredBy: ["02:00:00:00:00:77"] });
  }, 120_000);
});
