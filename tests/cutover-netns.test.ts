/**
 * The end of a stretch in network namespaces, with the files the console generates: the stretch
 * built by the source gateway's iproute2 script and the edge bridge's cloud-init script, then the
 * cut-over file run on the source router, a namespace playing the Tier-1 taking the gateway (as
 * Azure's segment update does), the rollback's restore file, and the unextend's ordered teardown.
 * All traffic stays inside the namespaces; every one is deleted afterwards, pass or fail.
 *
 *   h-src ─┐                                                  ┌─ h-avs   a workload already in AVS
 *          ├ sw-src ─eth1 gw-src ─eth0──────eth0─ gw-avs eth1─ sw-avs ┤
 *   rtr ───┘ (source LAN)         198.51.100.0/30        (NSX-T segment) └─ t1   the Tier-1
 *   holds 192.168.10.1 today                                               takes it at the cut-over
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { gatewayContext, type GatewayContextInput } from "@/lib/gateway/context";
import { CONTOSO_CUTOVER_INPUT } from "./support/gateway-inputs";
import { cloudInitEdgeBridgeTarget } from "@/lib/gateway/targets/cloud-init-edge-bridge";
import { cutoverLinuxTarget } from "@/lib/gateway/targets/cutover-linux";
import { linuxIproute2Target } from "@/lib/gateway/targets/linux-iproute2";
import { unextendTarget } from "@/lib/gateway/targets/unextend";
import type { GatewayContext } from "@/lib/gateway/types";
import { describeWithTool, loadYaml, networkNamespaces, pyYaml, runningAsRoot, tool } from "./support/gateway-tools";
import { tearDownNamespaces } from "./support/netns-teardown";

const GATEWAY = "192.168.10.1";
const H_SRC = "192.168.10.11";
const H_AVS = "192.168.10.12";

const suffix = randomBytes(3).toString("hex");
const NS = {
  hSrc: `bh-co-hsrc-${suffix}`,
  rtr: `bh-co-rtr-${suffix}`,
  swSrc: `bh-co-swsrc-${suffix}`,
  gwSrc: `bh-co-gwsrc-${suffix}`,
  gwAvs: `bh-co-gwavs-${suffix}`,
  swAvs: `bh-co-swavs-${suffix}`,
  hAvs: `bh-co-havs-${suffix}`,
  t1: `bh-co-t1-${suffix}`,
};

/** Contoso with its cut-over planned, its ends on this topology's NICs, the gateway on the router's lan0. */
function contosoHere(stage: "cutover-planned" | "cut-over"): GatewayContext {
  const end = { underlayInterface: "eth0", lanInterface: "eth1", lanTagged: false } as const;
  const input: GatewayContextInput = {
    ...CONTOSO_CUTOVER_INPUT,
    tunnel: {
      ...CONTOSO_CUTOVER_INPUT.tunnel,
      source: { ...CONTOSO_CUTOVER_INPUT.tunnel.source, ...end, underlayIp: "198.51.100.1" },
      avs: { ...CONTOSO_CUTOVER_INPUT.tunnel.avs, ...end, underlayIp: "198.51.100.2" },
    },
    stretch: { ...CONTOSO_CUTOVER_INPUT.stretch!, stage, sourceInterface: "lan0" },
  };
  return gatewayContext(input);
}

type Result = { status: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: Record<string, string> = {}): Result {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ip(namespace: string, ...args: string[]): string {
  const result = run("ip", ["-n", namespace, ...args]);
  if (result.status !== 0) throw new Error(`ip -n ${namespace} ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

const inNs = (namespace: string, args: string[], env: Record<string, string> = {}) => run("ip", ["netns", "exec", namespace, ...args], env);
const ping = (from: string, to: string, count = 3) => inNs(from, ["ping", "-n", "-c", String(count), "-W", "1", to]);

function mac(namespace: string, dev: string): string {
  const found = /link\/ether ([0-9a-f:]{17})/.exec(ip(namespace, "-o", "link", "show", "dev", dev));
  if (!found?.[1]) throw new Error(`no MAC on ${dev} in ${namespace}`);
  return found[1];
}

/** Who a workload resolved its gateway to: the MAC in its neighbour entry. */
function gatewayMacSeenBy(namespace: string): string {
  return /lladdr ([0-9a-f:]{17})/.exec(ip(namespace, "neigh", "show", GATEWAY))?.[1] ?? "none";
}

/**
 * A workload's ARP entry for its gateway lasts until it goes stale (about 30 s): the test forgets
 * it at once instead of waiting, so the next ping asks the subnet again, as a later one would.
 */
function forgetGateway(...namespaces: string[]) {
  for (const namespace of namespaces) ip(namespace, "neigh", "flush", "to", GATEWAY);
}

const addressesOf = (namespace: string) => ip(namespace, "-o", "address", "show", "to", GATEWAY).trim();

const linkNames = (namespace: string) =>
  ip(namespace, "-o", "link", "show")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(": ")[1]?.split("@")[0] ?? line)
    .sort();

let work = "";
let stateDir = "";
const scripts: Record<"srcApply" | "avsApply" | "cutover" | "restore" | "srcUnextend" | "avsUnextend", string> = {
  srcApply: "",
  avsApply: "",
  cutover: "",
  restore: "",
  srcUnextend: "",
  avsUnextend: "",
};
const before: Record<string, string[]> = {};

function writeScript(name: string, contents: string): string {
  const file = path.join(work, name);
  writeFileSync(file, contents, { mode: 0o755 });
  return file;
}

function mustRun(namespace: string, script: string): Result {
  const result = inNs(namespace, ["bash", script], { BRIDGEHEAD_STATE_DIR: stateDir });
  if (result.status !== 0) throw new Error(`${path.basename(script)} in ${namespace} exited ${result.status}: ${result.stderr}`);
  return result;
}

function renderScripts() {
  const planned = contosoHere("cutover-planned");
  const byName = (files: { path: string; contents: string }[], end: string) => {
    const found = files.find((file) => file.path.endsWith(end));
    if (!found) throw new Error(`no generated file ending in ${end}`);
    return found.contents;
  };
  const source = linuxIproute2Target.generate(planned);
  const [yaml] = cloudInitEdgeBridgeTarget.generate(planned);
  const cloudInit = loadYaml(yaml!.contents) as { write_files: { path: string; content: string }[] };
  const cutover = cutoverLinuxTarget.generate(planned);
  // The unextend files are offered once cut over: rendered from that stage, as the bundle does.
  const unextend = unextendTarget.generate(contosoHere("cut-over"));
  scripts.srcApply = writeScript("src-apply.sh", byName(source, "-apply.sh"));
  scripts.avsApply = writeScript("avs-apply.sh", byName(cloudInit.write_files.map((f) => ({ path: f.path, contents: f.content })), "-apply.sh"));
  scripts.cutover = writeScript("cutover.sh", byName(cutover, "-cutover.sh"));
  scripts.restore = writeScript("restore.sh", byName(cutover, "-restore.sh"));
  scripts.srcUnextend = writeScript("src-unextend.sh", byName(unextend, "-source-unextend.sh"));
  scripts.avsUnextend = writeScript("avs-unextend.sh", byName(unextend, "-edge-unextend.sh"));
}

function buildTopology() {
  for (const name of Object.values(NS)) {
    const added = run("ip", ["netns", "add", name]);
    if (added.status !== 0) throw new Error(`ip netns add ${name}: ${added.stderr.trim()}`);
    ip(name, "link", "set", "lo", "up");
  }
  // The underlay: one routed /30 between the two gateways.
  ip(NS.gwSrc, "link", "add", "eth0", "mtu", "9000", "type", "veth", "peer", "name", "eth0", "mtu", "9000", "netns", NS.gwAvs);
  ip(NS.gwSrc, "addr", "add", "198.51.100.1/30", "dev", "eth0");
  ip(NS.gwAvs, "addr", "add", "198.51.100.2/30", "dev", "eth0");
  for (const gw of [NS.gwSrc, NS.gwAvs]) ip(gw, "link", "set", "eth0", "up");
  // Each site's L2: a switch (a Linux bridge in its own namespace) with the gateway's LAN NIC on it.
  for (const [sw, members] of [
    [NS.swSrc, [[NS.gwSrc, "eth1"], [NS.rtr, "lan0"], [NS.hSrc, "eth0"]]],
    [NS.swAvs, [[NS.gwAvs, "eth1"], [NS.t1, "eth0"], [NS.hAvs, "eth0"]]],
  ] as const) {
    ip(sw, "link", "add", "br0", "type", "bridge");
    ip(sw, "link", "set", "br0", "up");
    members.forEach(([member, dev], i) => {
      ip(sw, "link", "add", `p${i}`, "type", "veth", "peer", "name", dev, "netns", member);
      ip(sw, "link", "set", `p${i}`, "master", "br0", "up");
      // The gateways' LAN NICs are left down, as a fresh NIC is: their apply scripts bring them up.
      if (member !== NS.gwSrc && member !== NS.gwAvs) ip(member, "link", "set", dev, "up");
    });
  }
  // The source router holds the gateway today; both workloads route through it.
  ip(NS.rtr, "addr", "add", `${GATEWAY}/24`, "dev", "lan0");
  for (const [host, address] of [
    [NS.hSrc, H_SRC],
    [NS.hAvs, H_AVS],
  ] as const) {
    ip(host, "addr", "add", `${address}/24`, "dev", "eth0");
    ip(host, "route", "add", "default", "via", GATEWAY);
  }
}

describeWithTool([runningAsRoot, networkNamespaces, tool("ping", "iputils-ping"), tool("nft", "nftables"), tool("python3"), pyYaml], "cut-over and unextend in network namespaces, with the generated files", () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "bh-cutover-"));
    stateDir = path.join(work, "state");
    renderScripts();
    buildTopology();
    for (const gw of [NS.gwSrc, NS.gwAvs]) before[gw] = linkNames(gw);
    mustRun(NS.gwSrc, scripts.srcApply);
    mustRun(NS.gwAvs, scripts.avsApply);
  });

  // Whatever the apply scripts left running in a namespace is stopped before anything is removed.
  afterAll(() => tearDownNamespaces({ namespaces: Object.values(NS), folders: work ? [work] : [] }), 30_000);

  // One story, in order, as an operator lives it: each step starts from where the last one left the namespaces.
  it("tromboning before; cut over; roll back; cut over again; unextend — each proven in the kernel", () => {
    // Before the cut-over, the AVS workload's gateway is the source router, across the tunnel (tromboning).
    const reached = ping(NS.hAvs, GATEWAY);
    expect(reached.status, reached.stdout + reached.stderr).toBe(0);
    expect(gatewayMacSeenBy(NS.hAvs)).toBe(mac(NS.rtr, "lan0"));

    // Cut over: the source router's gateway interface address is gone, and both sites' workloads reach the Tier-1 instead.
    const released = mustRun(NS.rtr, scripts.cutover);
    expect(released.stdout).toContain(`Released ${GATEWAY}/24 from lan0`);
    expect(addressesOf(NS.rtr)).toBe("");
    // Nobody answers for the address now: the agents' probe would say so, and the console lets the cut-over go.
    forgetGateway(NS.hAvs, NS.hSrc);
    expect(ping(NS.hAvs, GATEWAY, 1).status).not.toBe(0);

    // Azure's segment update: the Tier-1 takes the gateway address on the segment.
    ip(NS.t1, "addr", "add", `${GATEWAY}/24`, "dev", "eth0");
    forgetGateway(NS.hAvs, NS.hSrc);
    const inAvs = ping(NS.hAvs, GATEWAY);
    expect(inAvs.status, inAvs.stdout + inAvs.stderr).toBe(0);
    expect(gatewayMacSeenBy(NS.hAvs)).toBe(mac(NS.t1, "eth0"));
    // A straggler still at the source reaches the new gateway through the tunnel, which stays up.
    const straggler = ping(NS.hSrc, GATEWAY);
    expect(straggler.status, straggler.stdout + straggler.stderr).toBe(0);
    expect(gatewayMacSeenBy(NS.hSrc)).toBe(mac(NS.t1, "eth0"));

    // Run again (an operator unsure it ran): nothing to do, still released.
    expect(mustRun(NS.rtr, scripts.cutover).stdout).toContain("already released");
    expect(addressesOf(NS.rtr)).toBe("");

    // Roll back: once the Tier-1 lets go, the restore file puts the gateway back exactly where it was.
    ip(NS.t1, "addr", "del", `${GATEWAY}/24`, "dev", "eth0");
    const restored = mustRun(NS.rtr, scripts.restore);
    expect(restored.stdout).toContain(`Restored ${GATEWAY}/24 on lan0`);
    expect(addressesOf(NS.rtr)).toMatch(new RegExp(`lan0\\s+inet ${GATEWAY.replace(/\./g, "\\.")}/24 `));
    forgetGateway(NS.hAvs);
    const afterRestore = ping(NS.hAvs, GATEWAY);
    expect(afterRestore.status, afterRestore.stdout + afterRestore.stderr).toBe(0);
    expect(gatewayMacSeenBy(NS.hAvs)).toBe(mac(NS.rtr, "lan0"));

    // Cut over again, then unextend in order: the AVS workload keeps its gateway, the source LAN
    // no longer reaches AVS, the tunnel devices are gone.
    mustRun(NS.rtr, scripts.cutover);
    ip(NS.t1, "addr", "add", `${GATEWAY}/24`, "dev", "eth0");
    forgetGateway(NS.hAvs);
    expect(ping(NS.hAvs, H_SRC).status).toBe(0);

    // The source gateway first, then the AVS edge bridge.
    mustRun(NS.gwSrc, scripts.srcUnextend);
    mustRun(NS.gwAvs, scripts.avsUnextend);
    expect(linkNames(NS.gwSrc)).toEqual(before[NS.gwSrc]);
    expect(linkNames(NS.gwAvs)).toEqual(before[NS.gwAvs]);

    forgetGateway(NS.hAvs);
    const afterUnextend = ping(NS.hAvs, GATEWAY);
    expect(afterUnextend.status, afterUnextend.stdout + afterUnextend.stderr).toBe(0);
    expect(gatewayMacSeenBy(NS.hAvs)).toBe(mac(NS.t1, "eth0"));
    ip(NS.hSrc, "neigh", "flush", "to", H_AVS);
    expect(ping(NS.hSrc, H_AVS, 1).status).not.toBe(0);
    expect(ip(NS.hSrc, "neigh", "show", H_AVS)).not.toContain("lladdr");

    // Both unextend scripts are safe to run again.
    mustRun(NS.gwSrc, scripts.srcUnextend);
    mustRun(NS.gwAvs, scripts.avsUnextend);
  }, 120_000);
});
