import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { itWithTool, networkNamespaces, runningAsRoot, runTool, tool } from "@/tests/support/gateway-tools";
import { linuxIproute2Target } from "./targets/linux-iproute2";
import { systemdNetworkdTarget } from "./targets/systemd-networkd";
import { LINUX_SOURCE } from "@/tests/support/gateway-variants";
import { renderGuardRuleset, STORM_CONTROL } from "./tunnel-guard";

const single = renderGuardRuleset({ table: "bh_t", vxlan: "vx10110", mss: null, pair: false }).join("\n");
const pair = renderGuardRuleset({ table: "bh_t", vxlan: "vx10110", mss: { ipv4: 1337, ipv6: 1317 }, pair: true }).join("\n");

describe("the tunnel guard's ruleset", () => {
  it("limits broadcast, multicast and unknown unicast on the tunnel port, both ways, and drops BPDUs", () => {
    for (const chain of ["into_tunnel", "from_tunnel"]) expect(single).toContain(`  chain ${chain} {\n    ether daddr 01:80:c2:00:00:00/44 counter drop`);
    expect(single).toContain(`ether daddr ff:ff:ff:ff:ff:ff limit rate over ${STORM_CONTROL.broadcastPps}/second burst ${STORM_CONTROL.broadcastPps} packets counter drop`);
    expect(single).toContain(`ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 limit rate over ${STORM_CONTROL.multicastPps}/second`);
    expect(single).toContain(`ether daddr != @far_macs limit rate over ${STORM_CONTROL.unknownUnicastPps}/second`);
    expect(single).toContain(`ether daddr != @near_macs limit rate over ${STORM_CONTROL.unknownUnicastPps}/second`);
    expect(single).not.toContain("maxseg");
  });

  it("keeps the gateway off the tenant's VLAN; a pair member lets VRRP in and has its gate, closed", () => {
    expect(single).toContain("  chain input {\n    type filter hook input priority 0; policy drop;\n  }");
    expect(single).not.toMatch(/chain gate|jump gate|vrrp/);
    expect(pair).toContain("  chain input {\n    type filter hook input priority 0; policy drop;\n    ether type ip ip protocol vrrp accept\n  }");
    expect(pair).toContain('  chain gate {\n    iifname "vx10110" drop\n    oifname "vx10110" drop\n  }');
    expect(pair).toContain("    type filter hook forward priority 0; policy accept;\n    jump gate\n");
    expect(pair).toContain("tcp option maxseg size set 1337");
  });

  it("is the same table in the declarative formats' file as in the iproute2 script", () => {
    for (const context of [LINUX_SOURCE.contoso, LINUX_SOURCE.fabrikam, LINUX_SOURCE.contosoPrimary]) {
      const script = linuxIproute2Target.generate(context).find((file) => file.path.endsWith("-apply.sh"))!.contents;
      const loaded = /nft -f - <<EOF\n([^]*?)\nEOF/.exec(script)?.[1]?.replaceAll("$NFT_TABLE", `bh_contoso_t${context.tunnel.ordinal}_source`.replace("contoso", context.tenant.slug)).replaceAll("$VXLAN", `vx${context.tenant.vni}`);
      const file = systemdNetworkdTarget.generate(context).find((f) => f.path.endsWith("-guard.nft"))!.contents;
      expect(loaded).toBeDefined();
      expect(file.split("\n").filter((line) => !line.startsWith("#")).join("\n").trim()).toBe(loaded);
    }
  });

  itWithTool(["nft", "unshare", runningAsRoot, networkNamespaces], "nft accepts every variant, and refuses a broken one", () => {
    const check = (ruleset: string) => spawnSync("unshare", ["--net", "nft", "-c", "-f", "-"], { input: ruleset, encoding: "utf8" });
    for (const ruleset of [single, pair]) expect(check(ruleset).stderr).toBe("");
    expect(check(single.replace("limit rate over 1000/second", "limit rate over lots/second")).status).not.toBe(0);
  });
});

/**
 * The guard on a real bridge: br0 joins `lan0` (the LAN port) and `vx10110` (standing in for the
 * tunnel device: the rules match it by name). A Python sender writes test frames into the LAN
 * side and a receiver counts what comes out of the tunnel side, until nothing more arrives.
 */
const HARNESS = `
set -euo pipefail
ip link set lo up
ip link add br0 type bridge
ip link add lan0 type veth peer name h0
ip link add vx10110 type veth peer name far0
for dev in lan0 vx10110; do ip link set "$dev" master br0; done
for dev in br0 lan0 h0 vx10110 far0; do ip link set "$dev" up; done
sysctl -qw net.ipv6.conf.all.disable_ipv6=1
nft -f "$1"
exec python3 -c "$2" "$3"
`;

const SENDER = String.raw`
import socket, sys, time, json
kind = sys.argv[1]
out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); out.bind(("h0", 0))
back = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); back.bind(("far0", 0))
inn = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5)); inn.bind(("far0", 0)); inn.settimeout(0.3)
# Room for every frame sent (root may exceed rmem_max), so any loss is the guard's, not the socket's.
inn.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
mac = lambda text: bytes.fromhex(text.replace(":", ""))
src = mac("02:00:00:00:00:01")
known = mac("02:00:00:00:00:99")
sweep = mac("02:62:68:21:00:6e")
frame = lambda dst, s=src: dst + s + b"\x88\xb5" + b"x" * 46
# Teach the far side's MACs: a broadcast from each arrives through the tunnel port (another
# ethertype, so the receiver below does not count it).
for far in (known, sweep):
    back.send(mac("ff:ff:ff:ff:ff:ff") + far + b"\x88\xb6" + b"y" * 46)
time.sleep(0.2)
dst = {"broadcast": mac("ff:ff:ff:ff:ff:ff"), "multicast": mac("01:00:5e:01:02:03"), "unknown": mac("02:00:00:00:00:77"),
       "known": known, "bpdu": mac("01:80:c2:00:00:00"), "sweep": sweep}[kind]
count = 3000
start = time.monotonic()
for _ in range(count):
    out.send(frame(dst))
elapsed = time.monotonic() - start
got = 0
try:
    while True:
        inn.recv(2048)
        got += 1
except socket.timeout:
    pass
print(json.dumps({"sent": count, "got": got, "seconds": elapsed}))
`;

describe("the tunnel guard on a real bridge", () => {
  itWithTool([runningAsRoot, networkNamespaces, tool("nft", "nftables"), tool("python3")], "passes known unicast untouched, holds each flood class to its rate, drops BPDUs, never learns the sweep MACs", () => {
    const dir = runTool("mktemp", ["-d"]).stdout.trim();
    try {
      const rules = `${dir}/guard.nft`;
      runTool("tee", [rules], renderGuardRuleset({ table: "bh_t", vxlan: "vx10110", mss: null, pair: false }).join("\n"));
      const send = (kind: string) => {
        const result = spawnSync("unshare", ["--net", "bash", "-c", HARNESS, "harness", rules, SENDER, kind], { encoding: "utf8", timeout: 60_000 });
        if (result.status !== 0) throw new Error(`harness (${kind}) exited ${result.status}: ${result.stderr}`);
        return JSON.parse(result.stdout) as { sent: number; got: number; seconds: number };
      };
      // At most a burst, plus the rate for as long as the sender took (and one for rounding).
      const within = (result: { got: number; seconds: number }, pps: number) => pps + Math.ceil(pps * result.seconds) + 1;

      expect(send("known").got).toBe(3000);
      expect(send("bpdu").got).toBe(0);
      for (const [kind, pps] of [
        ["broadcast", STORM_CONTROL.broadcastPps],
        ["multicast", STORM_CONTROL.multicastPps],
        ["unknown", STORM_CONTROL.unknownUnicastPps],
        // A sweep MAC came out of the tunnel but was not learned: replies to it stay unknown unicast.
        ["sweep", STORM_CONTROL.unknownUnicastPps],
      ] as const) {
        const result = send(kind);
        expect(result.got, `${kind}: ${JSON.stringify(result)}`).toBeGreaterThanOrEqual(pps);
        expect(result.got, `${kind}: ${JSON.stringify(result)}`).toBeLessThanOrEqual(within(result, pps));
      }
    } finally {
      runTool("rm", ["-rf", dir]);
    }
  });
});
