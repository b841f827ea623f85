/**
 * What tests/gateway-pair-netns.test.ts installs on each node and reads back: the generated files
 * at the paths their READMEs name, the pair helper's role files and transition logs, and a ping
 * run whose lost replies measure an outage.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cloudInitEdgeBridgeTarget } from "@/lib/gateway/targets/cloud-init-edge-bridge";
import { linuxIproute2Target } from "@/lib/gateway/targets/linux-iproute2";
import { PAIR_PATHS } from "@/lib/gateway/targets/linux-pair";
import { telemetryAgentTarget } from "@/lib/gateway/targets/telemetry-agent";
import type { GatewayContext } from "@/lib/gateway/types";
import type { RuleSample } from "@/lib/telemetry/rules/types";
import { sampleSchema, type TelemetrySample } from "@/lib/validation/telemetry";
import { loadYaml } from "./gateway-tools";
import type { InstalledFile, LabNode, PairLab } from "./pair-lab";

/**
 * The source gateway's iproute2 bundle as its README says to install it: the scripts stay in the
 * download folder (the node's root here), the pair helper and keepalived's files go to their places.
 */
export function sourceGatewayFiles(context: GatewayContext): InstalledFile[] {
  const stem = `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
  return linuxIproute2Target.generate(context).map((file) => {
    const name = file.path.split("/").at(-1)!;
    if (name === `${stem}-pair.sh`) return { ...file, path: `${PAIR_PATHS.helperDir}/${name}` };
    if (name === `${stem}-keepalived.conf`) return { ...file, path: `${PAIR_PATHS.keepalivedDir}/${stem}.conf` };
    if (name === "keepalived.conf") return { ...file, path: "/etc/keepalived/keepalived.conf" };
    return { ...file, path: name };
  });
}

/** The edge bridge's cloud-init user data, every write_files entry at its path, as cloud-init would. */
export function edgeBridgeFiles(context: GatewayContext): InstalledFile[] {
  const [yaml] = cloudInitEdgeBridgeTarget.generate(context);
  const config = loadYaml(yaml?.contents ?? "") as { write_files: { path: string; content: string; permissions: string }[] };
  return config.write_files.map((entry) => ({ path: entry.path, contents: entry.content, mode: Number.parseInt(entry.permissions, 8) }));
}

export type RoleReport = { role: "active" | "standby" | "fault"; state: string; since: string; reason: string; tunnel: number; side: string };

export function readRole(lab: PairLab, node: LabNode, state: string): RoleReport | null {
  const text = lab.readRun(node, `${state}.role`);
  if (!text) return null;
  try {
    return JSON.parse(text) as RoleReport;
  } catch {
    // Caught between the helper's write and its rename: the next read sees the whole file.
    return null;
  }
}

/** The role changes the pair helper logged after `since` (epoch ms). */
export function transitionsSince(lab: PairLab, node: LabNode, state: string, since: number): { at: number; state: string; role: string; reason: string }[] {
  return (lab.readRun(node, `${state}.log`) ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [at = "", keepalivedState = "", role = "", reason = ""] = line.split(" ");
      return { at: Date.parse(at), state: keepalivedState, role, reason };
    })
    .filter((transition) => transition.at > since);
}

type Reply = { seq: number; at: number };

/** A ping every `intervalS` seconds until stopped; the longest run of lost replies is the outage. */
export function pingSeries(lab: PairLab, from: LabNode, to: string, intervalS: number) {
  const child: ChildProcess = lab.spawnIn(from, ["ping", "-n", "-D", "-i", String(intervalS), "-W", "1", to]);
  const replies: Reply[] = [];
  let duplicates = 0;
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const match = /^\[(\d+\.\d+)\] \d+ bytes from .* icmp_seq=(\d+)/.exec(line);
      if (!match) continue;
      if (line.includes("DUP!")) duplicates++;
      else replies.push({ at: Number(match[1]) * 1000, seq: Number(match[2]) });
    }
  });
  return {
    replies: () => replies,
    stop() {
      child.kill("SIGINT");
      let lost = 0;
      for (let i = 1; i < replies.length; i++) lost = Math.max(lost, replies[i]!.seq - replies[i - 1]!.seq - 1);
      return { lost, seconds: lost * intervalS, duplicates };
    },
  };
}

/**
 * Runs the generated telemetry agent once on a lab node, with its files where the README puts
 * them (the pair helper's role file under /run/bridgehead included), against a stand-in console
 * in the same namespace, and returns the sample it posted, checked against the ingest schema.
 */
export async function runAgentOnce(lab: PairLab, node: LabNode, context: GatewayContext, side: "source" | "avs", tls: { certFile: string; keyFile: string }): Promise<TelemetrySample> {
  const files = telemetryAgentTarget.generate(context).filter((file) => file.path.startsWith(`${side}/agent/`));
  const dir = path.join(lab.root(node), "agent");
  mkdirSync(path.join(dir, "state"), { recursive: true });
  const script = path.join(dir, "bridgehead-agent.py");
  writeFileSync(script, files.find((file) => file.path.endsWith(".py"))!.contents, { mode: 0o755 });
  const env = parseEnvFile(files.find((file) => file.path.endsWith(".env"))!.contents);
  const log = path.join(dir, "requests.log");
  writeFileSync(log, "");
  const server = lab.spawnIn(node, [process.execPath, AGENT_TEST_SERVER, tls.certFile, tls.keyFile, log, "202"]);
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    server.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /port=(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    server.once("exit", (code) => reject(new Error(`the stand-in console exited ${code}: ${output}`)));
  });
  try {
    const settings = { ...env, CONSOLE_URL: `https://127.0.0.1:${port}`, CA_FILE: tls.certFile, STATE_DIRECTORY: path.join(dir, "state"), PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };
    const assignments = Object.entries(settings).map(([key, value]) => `${key}=${shellQuote(value)}`);
    const result = lab.withFiles(node, `exec env -i ${assignments.join(" ")} python3 -I ${script}`, 60_000);
    if (result.status !== 0) throw new Error(`the agent on ${node} exited ${result.status}: ${result.stderr}`);
    const [request] = readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as { body: string });
    return sampleSchema.parse(JSON.parse(request!.body));
  } finally {
    server.kill("SIGTERM");
  }
}

const AGENT_TEST_SERVER = path.join(import.meta.dirname, "telemetry-agent-test-server.mjs");

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** KEY=value lines as systemd's EnvironmentFile= reads them. */
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/** A posted sample as the rules read it back from the database. */
export function asRuleSample(sample: TelemetrySample): RuleSample {
  return {
    measuredAt: new Date(sample.measuredAt),
    rttMs: sample.rttMs ?? null,
    lossPct: sample.lossPct ?? null,
    pairRole: sample.pair?.role ?? null,
    pairSince: sample.pair ? new Date(sample.pair.since) : null,
    pairReason: sample.pair?.reason ?? null,
  };
}
