/**
 * The generated configs applied for real, in network namespaces: a routed underlay, a source
 * gateway running the iproute2 apply script, an AVS edge bridge running the script taken out of
 * the cloud-init user data, and tenants whose hosts share one subnet and both gateways.
 * Nothing here touches the host's own interfaces; all traffic stays inside the namespaces.
 *
 *   h1-src ─eth1┐                                  ┌eth1─ h1-avs   1: Contoso-like, IPsec budget (inner 1377, clamp)
 *   h2-src ─eth2┼ gw-src ─eth0── router ──eth0─ gw-avs ┼eth2─ h2-avs   2: Fabrikam-like, 9000 underlay (inner 8950)
 *   h3-src ─eth3┘   198.51.100.0/30  203.0.113.0/30    └eth3─ h3-avs   3: SD-WAN over the IPv6 underlay (inner 1430, clamp)
 *                   2001:db8:1::/64  2001:db8:2::/64
 *
 * The underlay links run at 9000, the largest tenant's underlay MTU; each tenant's own inner MTU
 * is then enforced by the devices its scripts make, which is what the DF probes measure.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { gatewayContext, type GatewayContextInput } from "@/lib/gateway/context";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { cloudInitEdgeBridgeTarget } from "@/lib/gateway/targets/cloud-init-edge-bridge";
import { linuxIproute2Target } from "@/lib/gateway/targets/linux-iproute2";
import type { GatewayContext } from "@/lib/gateway/types";
import { describeWithTool, loadYaml, networkNamespaces, pyYaml, runningAsRoot, tool } from "./support/gateway-tools";
import { tearDownNamespaces } from "./support/netns-teardown";

const SOURCE_IP = "198.51.100.1";
const AVS_IP = "203.0.113.1";
const SOURCE_IP6 = "2001:db8:1::1";
const AVS_IP6 = "2001:db8:2::1";
const UNDERLAY_MTU = 9000;

function tenantInput(base: GatewayContextInput, lan: string | null, family: "ipv4" | "ipv6" = "ipv4", tenant: Partial<GatewayContextInput["tenant"]> = {}): GatewayContextInput {
  const end = { underlayInterface: null, lanInterface: lan, lanTagged: false } as const;
  const [source, avs] = family === "ipv4" ? [SOURCE_IP, AVS_IP] : [SOURCE_IP6, AVS_IP6];
  return {
    ...base,
    // Every tenant claims the same subnet: only their VNIs keep them apart.
    tenant: { ...base.tenant, ...tenant, subnet: "192.168.50.0/24" },
    tunnel: { ...base.tunnel, source: { ...base.tunnel.source, ...end, underlayIp: source }, avs: { ...base.tunnel.avs, ...end, underlayIp: avs } },
  };
}

type Tenant = {
  context: GatewayContext;
  /** The gateways' NIC toward this tenant's hosts. */
  lan: string;
  /** Host namespaces' keys and addresses at each end. */
  src: { host: string; ip: string };
  avs: { host: string; ip: string };
  hostMtu: number;
  scripts: { srcApply: string; srcTeardown: string; avsApply: string; avsTeardown: string };
};

const suffix = randomBytes(3).toString("hex");
const ns = (role: string) => `bh-${role}-${suffix}`;
const NS = {
  router: ns("router"),
  gwSrc: ns("gw-src"),
  gwAvs: ns("gw-avs"),
  h1Src: ns("h1-src"),
  h1Avs: ns("h1-avs"),
  h2Src: ns("h2-src"),
  h2Avs: ns("h2-avs"),
  h3Src: ns("h3-src"),
  h3Avs: ns("h3-avs"),
};

type Result = { status: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: Record<string, string> = {}): Result {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `ip -n <ns> …`, throwing with ip's own message when it fails: the topology must be exactly as drawn. */
function ip(namespace: string, ...args: string[]): string {
  const result = run("ip", ["-n", namespace, ...args]);
  if (result.status !== 0) throw new Error(`ip -n ${namespace} ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

function inNs(namespace: string, args: string[], env: Record<string, string> = {}): Result {
  return run("ip", ["netns", "exec", namespace, ...args], env);
}

function ping(from: string, to: string, extra: string[] = [], count = 2): Result {
  return inNs(from, ["ping", "-n", "-c", String(count), "-W", "1", ...extra, to]);
}

function mac(namespace: string, dev: string): string {
  const found = /link\/ether ([0-9a-f:]{17})/.exec(ip(namespace, "-o", "link", "show", "dev", dev));
  if (!found?.[1]) throw new Error(`no MAC on ${dev} in ${namespace}`);
  return found[1];
}

/** The link names in a namespace, without the @peer suffix veths carry. */
function linkNames(namespace: string): string[] {
  return ip(namespace, "-o", "link", "show")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(": ")[1]?.split("@")[0] ?? line)
    .sort();
}

/** A NIC's MTU and whether it is administratively up: what apply changes on a LAN NIC it does not own. */
function nicState(namespace: string, dev: string): string {
  const line = ip(namespace, "-o", "link", "show", "dev", dev);
  const flags = /<([^>]*)>/.exec(line)?.[1]?.split(",") ?? [];
  return `${dev} mtu ${/ mtu (\d+) /.exec(line)?.[1]} ${flags.includes("UP") ? "up" : "down"}`;
}

/** `ip -d link` without the bridge timers, which tick on their own. */
function linkDetails(namespace: string): string {
  return ip(namespace, "-d", "link", "show").replace(/ \w+_timer +[\d.]+/g, "");
}

let work = "";
let stateDir = "";
let tenants: [Tenant, Tenant, Tenant];
const before: Record<string, { names: string[]; lans: string[] }> = {};

function runScript(namespace: string, script: string): Result {
  return inNs(namespace, ["bash", script], { BRIDGEHEAD_STATE_DIR: stateDir });
}

function mustRun(namespace: string, script: string) {
  const result = runScript(namespace, script);
  if (result.status !== 0) throw new Error(`${path.basename(script)} in ${namespace} exited ${result.status}: ${result.stderr}`);
  return result;
}

function writeScript(name: string, contents: string): string {
  const file = path.join(work, name);
  writeFileSync(file, contents, { mode: 0o755 });
  return file;
}

/** Source scripts come straight from the target; the edge bridge's come out of its cloud-init YAML. */
function renderScripts(context: GatewayContext, label: string): Tenant["scripts"] {
  const source = linuxIproute2Target.generate(context);
  const file = (suffixName: string) => source.find((entry) => entry.path.endsWith(suffixName))?.contents ?? "";
  const [yaml] = cloudInitEdgeBridgeTarget.generate(context);
  const config = loadYaml(yaml?.contents ?? "") as { write_files: { path: string; content: string }[] };
  const written = (suffixName: string) => config.write_files.find((entry) => entry.path.endsWith(suffixName))?.content ?? "";
  return {
    srcApply: writeScript(`${label}-src-apply.sh`, file("-apply.sh")),
    srcTeardown: writeScript(`${label}-src-teardown.sh`, file("-teardown.sh")),
    avsApply: writeScript(`${label}-avs-apply.sh`, written("-apply.sh")),
    avsTeardown: writeScript(`${label}-avs-teardown.sh`, written("-teardown.sh")),
  };
}

function buildTopology() {
  for (const name of Object.values(NS)) {
    const added = run("ip", ["netns", "add", name]);
    if (added.status !== 0) throw new Error(`ip netns add ${name}: ${added.stderr.trim()}`);
    ip(name, "link", "set", "lo", "up");
  }
  // The underlay: two routed links through the router, so VXLAN crosses an IP hop.
  ip(NS.router, "link", "add", "up-src", "mtu", String(UNDERLAY_MTU), "type", "veth", "peer", "name", "eth0", "mtu", String(UNDERLAY_MTU), "netns", NS.gwSrc);
  ip(NS.router, "link", "add", "up-avs", "mtu", String(UNDERLAY_MTU), "type", "veth", "peer", "name", "eth0", "mtu", String(UNDERLAY_MTU), "netns", NS.gwAvs);
  ip(NS.router, "addr", "add", "198.51.100.2/30", "dev", "up-src");
  ip(NS.router, "addr", "add", "203.0.113.2/30", "dev", "up-avs");
  // nodad: the addresses are usable at once instead of after duplicate detection.
  ip(NS.router, "addr", "add", "2001:db8:1::2/64", "dev", "up-src", "nodad");
  ip(NS.router, "addr", "add", "2001:db8:2::2/64", "dev", "up-avs", "nodad");
  ip(NS.router, "link", "set", "up-src", "up");
  ip(NS.router, "link", "set", "up-avs", "up");
  const forwarding = inNs(NS.router, ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
  if (forwarding.status !== 0) throw new Error(`cannot enable forwarding in the router: ${forwarding.stderr}`);
  for (const [gw, address, via, address6, via6] of [
    [NS.gwSrc, `${SOURCE_IP}/30`, "198.51.100.2", `${SOURCE_IP6}/64`, "2001:db8:1::2"],
    [NS.gwAvs, `${AVS_IP}/30`, "203.0.113.2", `${AVS_IP6}/64`, "2001:db8:2::2"],
  ] as const) {
    ip(gw, "addr", "add", address, "dev", "eth0");
    ip(gw, "addr", "add", address6, "dev", "eth0", "nodad");
    ip(gw, "link", "set", "eth0", "up");
    ip(gw, "route", "add", "default", "via", via);
    ip(gw, "-6", "route", "add", "default", "via", via6);
  }
  // Each tenant's LAN: a veth from its gateway NIC (left down, as a fresh NIC is) to a host.
  for (const tenant of tenants) {
    for (const [gw, end] of [
      [NS.gwSrc, tenant.src],
      [NS.gwAvs, tenant.avs],
    ] as const) {
      ip(gw, "link", "add", tenant.lan, "type", "veth", "peer", "name", "eth0", "netns", end.host);
      ip(end.host, "link", "set", "eth0", "mtu", String(tenant.hostMtu), "up");
      ip(end.host, "addr", "add", `${end.ip}/24`, "dev", "eth0");
    }
  }
}

function applyAll() {
  for (const tenant of tenants) {
    mustRun(NS.gwSrc, tenant.scripts.srcApply);
    mustRun(NS.gwAvs, tenant.scripts.avsApply);
  }
}

/** Opens a TCP connection across the tunnel; a listener in the AVS host reports the MSS it settled on (less TCP options). */
async function negotiatedMss(tenant: Tenant): Promise<number> {
  const program = [
    "import socket",
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
    `s.bind(("${tenant.avs.ip}", 5201)); s.listen(1); s.settimeout(10); print("ready", flush=True)`,
    "c, _ = s.accept(); print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)",
  ].join("\n");
  const server = spawn("ip", ["netns", "exec", tenant.avs.host, "python3", "-c", program]);
  let output = "";
  const exited = new Promise<number | null>((resolve) => server.on("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    server.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready")) resolve();
    });
    void exited.then((code) => reject(new Error(`listener exited ${code} before it was ready`)));
  });
  const client = inNs(tenant.src.host, ["bash", "-c", `exec 3<>/dev/tcp/${tenant.avs.ip}/5201 && exec 3>&-`]);
  if (client.status !== 0) throw new Error(`could not connect across the tunnel: ${client.stderr}`);
  const code = await exited;
  if (code !== 0) throw new Error(`listener exited ${code}: ${output}`);
  return Number(output.split("\n")[1]);
}

function neighbour(namespace: string, address: string): string {
  return ip(namespace, "neigh", "show", address).trim();
}

describeWithTool([runningAsRoot, networkNamespaces, tool("ping", "iputils-ping"), tool("nft", "nftables"), tool("python3"), pyYaml], "generated gateway configs in network namespaces", () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "bh-netns-"));
    stateDir = path.join(work, "state");
    const contoso = gatewayContext(tenantInput(CONTOSO_INPUT, null));
    const fabrikam = gatewayContext(tenantInput(FABRIKAM_INPUT, "eth2"));
    const northwind = gatewayContext(
      tenantInput(FABRIKAM_INPUT, "eth3", "ipv6", { slug: "northwind", displayName: "Northwind Traders", vlanId: 130, vni: 10130, transport: "sd-wan", underlayMtu: 1500 }),
    );
    // Tenant 2's hosts run at 9000 so that its 8951-byte probe leaves the host and meets the gateway.
    tenants = [
      { context: contoso, lan: "eth1", src: { host: NS.h1Src, ip: "192.168.50.11" }, avs: { host: NS.h1Avs, ip: "192.168.50.12" }, hostMtu: 1500, scripts: renderScripts(contoso, "t1") },
      { context: fabrikam, lan: "eth2", src: { host: NS.h2Src, ip: "192.168.50.21" }, avs: { host: NS.h2Avs, ip: "192.168.50.22" }, hostMtu: 9000, scripts: renderScripts(fabrikam, "t2") },
      { context: northwind, lan: "eth3", src: { host: NS.h3Src, ip: "192.168.50.31" }, avs: { host: NS.h3Avs, ip: "192.168.50.32" }, hostMtu: 1500, scripts: renderScripts(northwind, "t3") },
    ];
    buildTopology();
    for (const gw of [NS.gwSrc, NS.gwAvs]) before[gw] = { names: linkNames(gw), lans: tenants.map((tenant) => nicState(gw, tenant.lan)) };
    applyAll();
  });

  // Whatever the apply scripts left running in a namespace is stopped before anything is removed.
  afterAll(() => tearDownNamespaces({ namespaces: Object.values(NS), folders: work ? [work] : [] }), 30_000);

  it("routes the underlay, IPv4 and IPv6, through the router", () => {
    expect(ip(NS.gwSrc, "route", "get", AVS_IP)).toContain("via 198.51.100.2 dev eth0");
    expect(ip(NS.gwSrc, "route", "get", AVS_IP6)).toContain("via 2001:db8:1::2 dev eth0");
    expect(ping(NS.gwSrc, AVS_IP).status).toBe(0);
    expect(ping(NS.gwSrc, AVS_IP6).status).toBe(0);
    expect(tenants[2].context.mtu.arithmetic).toContain("− 70 VXLAN over IPv6");
  });

  it("(a) lets each tenant's hosts at both ends ARP-resolve each other and ping", () => {
    for (const tenant of tenants) {
      const result = ping(tenant.src.host, tenant.avs.ip);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(neighbour(tenant.src.host, tenant.avs.ip)).toContain(`lladdr ${mac(tenant.avs.host, "eth0")}`);
      expect(neighbour(tenant.avs.host, tenant.src.ip)).toContain(`lladdr ${mac(tenant.src.host, "eth0")}`);
    }
  });

  it("(b) passes a don't-fragment packet of exactly the computed inner MTU and drops one a byte larger", () => {
    expect(tenants.map((tenant) => tenant.context.mtu.innerMtu)).toEqual([1377, 8950, 1430]);
    for (const tenant of tenants) {
      const payload = tenant.context.mtu.innerMtu - 28; // minus IPv4 20 and ICMP 8
      const fits = ping(tenant.src.host, tenant.avs.ip, ["-M", "do", "-s", String(payload)]);
      expect(fits.status, fits.stdout + fits.stderr).toBe(0);
      // The host's own MTU is larger, so the oversized packet leaves it and dies in the gateway.
      const tooBig = ping(tenant.src.host, tenant.avs.ip, ["-M", "do", "-s", String(payload + 1)], 1);
      expect(tooBig.stderr).not.toContain("message too long");
      expect(tooBig.stdout).toContain("1 packets transmitted, 0 received");
      expect(tooBig.status).not.toBe(0);
    }
  });

  it("clamps TCP MSS for the tenants whose inner MTU is below 1500", async () => {
    const clamped = tenants.filter((tenant) => !tenant.context.mtu.fitsStandardFrames);
    expect(clamped.map((tenant) => tenant.context.mtu.mss)).toEqual([1337, 1390]);
    for (const tenant of clamped) {
      const mss = await negotiatedMss(tenant);
      // Unclamped, two 1500-MTU hosts settle on 1448 (1460 less 12 bytes of timestamps).
      expect(mss).toBeGreaterThan(1200);
      expect(mss).toBeLessThanOrEqual(tenant.context.mtu.mss);
    }
  });

  it("(c) keeps the tenants apart by VNI although their hosts share one subnet", () => {
    const [one, two, three] = tenants;
    for (const [from, to] of [
      [one.src, two.avs],
      [one.src, two.src], // same gateway, other bridge
      [two.avs, one.src],
      [three.src, one.avs], // IPv6 underlay, same gateways
      [one.avs, three.src],
    ] as const) {
      const result = ping(from.host, to.ip, [], 1);
      expect(result.status, `${from.ip} reached ${to.ip}`).not.toBe(0);
      expect(neighbour(from.host, to.ip)).not.toContain("lladdr");
    }
  });

  it("(d) applies idempotently: a second run exits 0 and leaves every link as it was", () => {
    const snapshot = () => [NS.gwSrc, NS.gwAvs].map(linkDetails);
    const clampRules = () =>
      [
        [NS.gwSrc, "bh_contoso_t1_source"],
        [NS.gwAvs, "bh_northwind_t1_avs"],
      ].map(([gw, table]) => inNs(gw ?? "", ["nft", "list", "table", "bridge", table ?? ""]).stdout.match(/maxseg size set/g)?.length);
    const first = snapshot();
    expect(clampRules()).toEqual([4, 4]);
    applyAll();
    expect(snapshot()).toEqual(first);
    expect(clampRules()).toEqual([4, 4]);
    expect(ping(tenants[0].src.host, tenants[0].avs.ip).status).toBe(0);
  });

  it("(e) tears down exactly what apply made: one tenant at a time, then idempotently", () => {
    const [one, ...others] = tenants;
    mustRun(NS.gwSrc, one.scripts.srcTeardown);
    mustRun(NS.gwAvs, one.scripts.avsTeardown);
    for (const gw of [NS.gwSrc, NS.gwAvs]) {
      expect(linkNames(gw)).not.toContain("vx10110");
      expect(linkNames(gw)).not.toContain("br110");
      expect(linkNames(gw)).toEqual(expect.arrayContaining(["vx10120", "br120", "vx10130", "br130"]));
    }
    // Its tunnel guard went with it; the other tenants' guards stay.
    expect(inNs(NS.gwSrc, ["nft", "list", "tables"]).stdout.trim().split("\n").sort()).toEqual(["table bridge bh_fabrikam_t1_source", "table bridge bh_northwind_t1_source"]);
    // The other tenants, on the same gateways, never noticed.
    for (const other of others) expect(ping(other.src.host, other.avs.ip).status).toBe(0);

    for (const other of others) {
      mustRun(NS.gwSrc, other.scripts.srcTeardown);
      mustRun(NS.gwAvs, other.scripts.avsTeardown);
    }
    for (const gw of [NS.gwSrc, NS.gwAvs]) {
      expect(linkNames(gw)).toEqual(before[gw]?.names);
      // The LAN NICs are back to their MTU and down state, and no guard table is left.
      expect(tenants.map((tenant) => nicState(gw, tenant.lan))).toEqual(before[gw]?.lans);
      expect(inNs(gw, ["nft", "list", "tables"]).stdout).toBe("");
    }
    expect(readdirSync(work)).not.toContain("state");

    for (const tenant of tenants) {
      for (const [gw, script] of [
        [NS.gwSrc, tenant.scripts.srcTeardown],
        [NS.gwAvs, tenant.scripts.avsTeardown],
      ] as const) {
        const again = runScript(gw, script);
        expect(again.status, again.stderr).toBe(0);
      }
    }
    for (const gw of [NS.gwSrc, NS.gwAvs]) expect(linkNames(gw)).toEqual(before[gw]?.names);
  });
});
