/**
 * What tests/gateway-pair-netns.test.ts installs on each node and reads back: the generated files
 * at the paths their READMEs name, the pair helper's role files and transition logs, and a ping
 * run whose lost replies measure an outage.
 */
import type { ChildProcess } from "node:child_process";
import { cloudInitEdgeBridgeTarget } from "@/lib/gateway/targets/cloud-init-edge-bridge";
import { linuxIproute2Target } from "@/lib/gateway/targets/linux-iproute2";
import { PAIR_PATHS } from "@/lib/gateway/targets/linux-pair";
import type { GatewayContext } from "@/lib/gateway/types";
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
