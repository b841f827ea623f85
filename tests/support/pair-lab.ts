/**
 * A tenant with two tunnels, in network namespaces, for tests/gateway-pair-netns.test.ts: two
 * source gateways on one tenant LAN (a Linux bridge standing in for the site's switch), two AVS
 * edge bridges on one segment (another bridge standing in for NSX-T), a routed underlay, and one
 * workload at each site.
 *
 *   hs1 ── lan ──┬── gw1 ═══ tunnel 1 ═══ eb1 ──┬── seg ── ha1
 *                └── gw2 ═══ tunnel 2 ═══ eb2 ──┘
 *                   (underlay: every gateway and edge bridge routed through `router`)
 *
 * Every gateway and edge bridge gets its generated files installed at the paths they name
 * (/usr/local/lib/bridgehead, /usr/local/sbin, /etc/keepalived, /run/bridgehead) inside a mount
 * namespace of its own, then runs its apply script and keepalived exactly as the files say. The
 * host's own files and interfaces are never touched; /run/bridgehead of each node is a folder of
 * the lab, so the test reads the pair helper's role files from outside.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { tearDownNamespaces } from "./netns-teardown";

export const NODES = ["router", "lan", "seg", "gw1", "gw2", "eb1", "eb2", "hs1", "ha1"] as const;
export type LabNode = (typeof NODES)[number];
export type PairNode = "gw1" | "gw2" | "eb1" | "eb2";

/** Underlay addresses: each gateway and edge bridge on its own /30 to the router. */
export const UNDERLAY: Record<PairNode, { ip: string; router: string }> = {
  gw1: { ip: "198.51.100.1", router: "198.51.100.2" },
  gw2: { ip: "198.51.100.5", router: "198.51.100.6" },
  eb1: { ip: "203.0.113.1", router: "203.0.113.2" },
  eb2: { ip: "203.0.113.5", router: "203.0.113.6" },
};
export const SUBNET = "192.168.50.0/24";
export const HOSTS = { hs1: "192.168.50.11", ha1: "192.168.50.21" } as const;
/** An address nobody has: ARP requests for it are the test's own broadcasts, counted apart. */
export const PROBE_IP = "192.168.50.99";

export type Result = { status: number | null; stdout: string; stderr: string };

export function run(command: string, args: string[], timeoutMs = 30_000): Result {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export type InstalledFile = { path: string; contents: string; mode: number };

export class PairLab {
  readonly dir = mkdtempSync(path.join(tmpdir(), "bh-pair-"));
  private readonly suffix = randomBytes(3).toString("hex");
  private readonly processes: ChildProcess[] = [];
  private built: LabNode[] = [];

  ns(node: LabNode): string {
    return `bhp-${node}-${this.suffix}`;
  }

  /** `ip -n <ns> …`, throwing with ip's own message: the topology must be exactly as drawn. */
  ip(node: LabNode, ...args: string[]): string {
    const result = run("ip", ["-n", this.ns(node), ...args]);
    if (result.status !== 0) throw new Error(`ip -n ${node} ${args.join(" ")}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  exec(node: LabNode, args: string[], timeoutMs?: number): Result {
    return run("ip", ["netns", "exec", this.ns(node), ...args], timeoutMs);
  }

  must(node: LabNode, args: string[]): string {
    const result = this.exec(node, args);
    if (result.status !== 0) throw new Error(`${args.join(" ")} in ${node} exited ${result.status}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  build(): void {
    for (const node of NODES) {
      const added = run("ip", ["netns", "add", this.ns(node)]);
      if (added.status !== 0) throw new Error(`ip netns add ${node}: ${added.stderr.trim()}`);
      this.built.push(node);
      this.ip(node, "link", "set", "lo", "up");
    }
    this.must("router", ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    for (const [node, { ip, router }] of Object.entries(UNDERLAY) as [PairNode, (typeof UNDERLAY)[PairNode]][]) {
      this.ip("router", "link", "add", `up-${node}`, "type", "veth", "peer", "name", "eth0", "netns", this.ns(node));
      this.ip("router", "addr", "add", `${router}/30`, "dev", `up-${node}`);
      this.ip("router", "link", "set", `up-${node}`, "up");
      this.ip(node, "addr", "add", `${ip}/30`, "dev", "eth0");
      this.ip(node, "link", "set", "eth0", "up");
      this.ip(node, "route", "add", "default", "via", router);
    }
    // The site's switch and the NSX-T segment: plain learning bridges, each with a counting table.
    for (const [site, bridge, members] of [
      ["lan", "sw", ["gw1", "gw2", "hs1"]],
      ["seg", "seg", ["eb1", "eb2", "ha1"]],
    ] as const) {
      this.ip(site, "link", "add", bridge, "type", "bridge");
      this.ip(site, "link", "set", bridge, "up");
      for (const member of members) {
        const nic = member.startsWith("h") ? "eth0" : "eth1";
        this.ip(site, "link", "add", `p-${member}`, "type", "veth", "peer", "name", nic, "netns", this.ns(member));
        this.ip(site, "link", "set", `p-${member}`, "master", bridge, "up");
      }
      this.nft(site, ["table bridge lab {", "  chain forward {", "    type filter hook forward priority -20; policy accept;", `    ether type arp arp daddr ip ${PROBE_IP} counter`, "    ether type arp counter", "    ether type ip ip protocol vrrp counter", "    counter", "  }", "}"]);
    }
    for (const [host, address] of Object.entries(HOSTS) as ["hs1" | "ha1", string][]) {
      // The workloads speak IPv4 only, so every frame the switches count has a known source.
      this.must(host, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
      this.ip(host, "addr", "add", `${address}/24`, "dev", "eth0");
      this.ip(host, "link", "set", "eth0", "up");
    }
  }

  nft(node: LabNode, lines: string[]): void {
    const result = spawnSync("ip", ["netns", "exec", this.ns(node), "nft", "-f", "-"], { input: lines.join("\n"), encoding: "utf8" });
    if (result.status !== 0) throw new Error(`nft in ${node}: ${result.stderr}`);
  }

  /** Frames the site's switch has forwarded so far, one count per port a frame leaves by: the test's probe, all ARP, VRRP, everything. */
  switchCounts(site: "lan" | "seg"): { probe: number; arp: number; vrrp: number; all: number } {
    const json = JSON.parse(this.must(site, ["nft", "-j", "list", "table", "bridge", "lab"])) as { nftables: { rule?: { expr: { counter?: { packets: number }; match?: unknown }[] } }[] };
    const counters = json.nftables.flatMap((entry) => (entry.rule ? [entry.rule.expr.find((e) => e.counter)?.counter?.packets ?? 0] : []));
    return { probe: counters[0] ?? 0, arp: counters[1] ?? 0, vrrp: counters[2] ?? 0, all: counters[3] ?? 0 };
  }

  /** Blocks VRRP (IP protocol 112) across a site's switch, as a wrong ACL or filter would. */
  blockVrrp(site: "lan" | "seg"): void {
    this.nft(site, ["table bridge novrrp {", "  chain forward {", "    type filter hook forward priority -30; policy accept;", "    ether type ip ip protocol vrrp drop", "  }", "}"]);
  }

  unblockVrrp(site: "lan" | "seg"): void {
    this.must(site, ["nft", "delete", "table", "bridge", "novrrp"]);
  }

  /** Cuts a node's underlay at the router (not its own link): only end-to-end checks can notice. */
  cutUnderlay(node: PairNode): void {
    const ip = UNDERLAY[node].ip;
    this.nft("router", ["table inet cut {", "  chain forward {", "    type filter hook forward priority 0; policy accept;", `    ip saddr ${ip} drop`, `    ip daddr ${ip} drop`, "  }", "}"]);
  }

  /** Drops only what `from` sends to `to` across the router, as a one-way IPsec SA or an asymmetric ACL would. */
  cutUnderlayOneWay(from: PairNode, to: PairNode): void {
    this.nft("router", ["table inet cut {", "  chain forward {", "    type filter hook forward priority 0; policy accept;", `    ip saddr ${UNDERLAY[from].ip} ip daddr ${UNDERLAY[to].ip} drop`, "  }", "}"]);
  }

  restoreUnderlay(): void {
    this.must("router", ["nft", "delete", "table", "inet", "cut"]);
  }

  root(node: LabNode): string {
    return path.join(this.dir, node);
  }

  /** Writes files under the node's own root, at the paths they will be bind-mounted to. */
  install(node: LabNode, files: InstalledFile[]): void {
    for (const file of files) {
      const target = path.join(this.root(node), file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.contents);
      chmodSync(target, file.mode);
    }
    mkdirSync(path.join(this.root(node), "run/bridgehead"), { recursive: true });
  }

  /** Mounts that give a process in the node the installed files at their real paths. */
  private mounts(node: LabNode): string {
    const root = this.root(node);
    return [
      "set -e",
      "mount -t tmpfs tmpfs /run && mkdir -p /run/bridgehead",
      `mount --bind ${root}/run/bridgehead /run/bridgehead`,
      "mount -t tmpfs tmpfs /usr/local/lib && mkdir -p /usr/local/lib/bridgehead",
      `if [ -d ${root}/usr/local/lib/bridgehead ]; then mount --bind ${root}/usr/local/lib/bridgehead /usr/local/lib/bridgehead; fi`,
      `if [ -d ${root}/usr/local/sbin ]; then mount --bind ${root}/usr/local/sbin /usr/local/sbin; fi`,
      `mkdir -p ${root}/etc/keepalived && mount --bind ${root}/etc/keepalived /etc/keepalived`,
    ].join("\n");
  }

  /** Runs the node's apply script, then keepalived in the foreground (the lab kills it at the end). */
  start(node: PairNode, applyScript: string): void {
    const log = path.join(this.root(node), "keepalived.out");
    const script = [
      this.mounts(node),
      `bash ${applyScript}`,
      `exec keepalived --dont-fork --log-console --log-detail --vrrp -f /etc/keepalived/keepalived.conf -p /run/bridgehead/keepalived.pid -r /run/bridgehead/vrrp.pid >${log} 2>&1`,
    ].join("\n");
    const child = spawn("ip", ["netns", "exec", this.ns(node), "bash", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      if (code !== 0 && code !== null) writeFileSync(path.join(this.root(node), "start.failed"), `exit ${code}\n${output}`);
    });
    this.processes.push(child);
  }

  /** Runs a command in the node with its files at their real paths (the agent, the pair helper). */
  withFiles(node: LabNode, command: string, timeoutMs = 60_000): Result {
    return run("ip", ["netns", "exec", this.ns(node), "bash", "-c", `${this.mounts(node)}\n${command}`], timeoutMs);
  }

  spawnIn(node: LabNode, args: string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", this.ns(node), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.processes.push(child);
    return child;
  }

  /** Why a node's start failed, if it did (the apply script refused, keepalived would not start). */
  startFailure(node: PairNode): string | null {
    try {
      return readFileSync(path.join(this.root(node), "start.failed"), "utf8");
    } catch {
      return null;
    }
  }

  /**
   * What an engineer needs when a node is not in the role a test waits for: the pair helper's role
   * file and last transitions, the node's links and addresses (a tracked interface down, an address
   * missing), whether keepalived still runs and the last lines it logged (the state it entered and
   * why), and why the start failed if it did.
   */
  diagnose(node: PairNode, state: string): string {
    const section = (title: string, text: string) => [`  ${title}:`, ...(text.trim() ? text.trim().split("\n").map((line) => `    ${line}`) : ["    (none)"])];
    const probe = (args: string[]) => {
      const result = run("ip", ["-n", this.ns(node), ...args]);
      return result.status === 0 ? result.stdout : `ip ${args.join(" ")} failed: ${result.stderr.trim()}`;
    };
    const keepalived = namespacePids(this.ns(node)).filter((pid) => commandOf(pid).split(" ")[0] === "keepalived");
    return [
      `${node}: role file ${(this.readRun(node, `${state}.role`) ?? "(none)").trim()}; keepalived ${keepalived.length > 0 ? `running (pids ${keepalived.join(", ")})` : "NOT running"}`,
      ...section("last transitions (pair helper)", lastLines(this.readRun(node, `${state}.log`) ?? "", 6)),
      ...section("links (ip -br link)", probe(["-br", "link"])),
      ...section("addresses (ip -br addr)", probe(["-br", "addr"])),
      ...section("keepalived's last lines", lastLines(readOrEmpty(path.join(this.root(node), "keepalived.out")), 15)),
      ...(this.startFailure(node) ? section("start failed", this.startFailure(node) ?? "") : []),
    ].join("\n");
  }

  /** Whether a process running `command` (its argv[0]) is in the node now: an ARP sweep, keepalived. */
  runs(node: LabNode, command: string): boolean {
    return namespacePids(this.ns(node)).some((pid) => commandOf(pid).split(" ")[0] === command);
  }

  readRun(node: LabNode, name: string): string | null {
    try {
      return readFileSync(path.join(this.root(node), "run/bridgehead", name), "utf8");
    } catch {
      return null;
    }
  }

  /**
   * Stops every process in the lab's namespaces (keepalived, the notify scripts it runs on its way
   * out, a disowned ARP sweep) and waits for each to die, then removes the namespaces and files,
   * whatever state they are in (tests/support/netns-teardown.ts).
   */
  async destroy(): Promise<void> {
    await tearDownNamespaces({ namespaces: this.built.map((node) => this.ns(node)), children: this.processes, folders: [this.dir] });
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The processes in a namespace, as `ip netns pids` lists them. */
function namespacePids(namespace: string): number[] {
  const result = run("ip", ["netns", "pids", namespace]);
  return result.status === 0 ? result.stdout.split("\n").filter(Boolean).map(Number) : [];
}

function commandOf(pid: number): string {
  return readOrEmpty(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
}

/** Polls `check` every 100 ms until it returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | null | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
