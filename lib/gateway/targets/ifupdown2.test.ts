import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeWithTool, runTool, tool, type Requirement } from "@/tests/support/gateway-tools";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { type GatewayContext } from "../types";
import { ifupdown2Target } from "./ifupdown2";
import { kernelHasVlans, type SandboxLink } from "@/tests/support/networkd-sandbox";
import { commandLines, filesByName, formatFile, inputError, LINUX_SOURCE, variant } from "@/tests/support/gateway-variants";

const { contoso, fabrikam, contosoPrimary } = LINUX_SOURCE;

function only(context: GatewayContext) {
  return formatFile(ifupdown2Target, context);
}

/** The stanzas without comments: what ifupdown2 reads. */
function stanzasOf(context: GatewayContext): string {
  return commandLines(only(context).contents, "#").join("\n");
}


describe("ifupdown2Target", () => {
  it("is one file for /etc/network/interfaces.d (a name run-parts and a glob both take), for VXLAN tenants", () => {
    expect(ifupdown2Target).toMatchObject({ id: "ifupdown2", role: "source-gateway", sides: ["source"], applyOrder: 20 });
    expect(ifupdown2Target.appliesTo(contoso)).toBe(true);
    expect(ifupdown2Target.appliesTo(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3")))).toBe(false);
    expect(only(contoso)).toMatchObject({ path: "source/ifupdown2/bh-contoso-t1", mode: 0o644 });
  });

  it("starts with the header: tenant, ends, MTU arithmetic, apply with ifreload and undo", () => {
    const lines = only(contoso).contents.split("\n");
    expect(lines[0]).toBe("# Source-site gateway, ifupdown2 (Debian / Proxmox VE): VXLAN device, bridge and LAN port");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# Tenant:      Contoso Manufacturing (contoso)",
        "# MTU budget:  underlay MTU 1500 − 50 VXLAN over IPv4 − 73 IPsec ESP (tunnel mode, worst case) = inner MTU 1377; TCP MSS 1337 (inner MTU − 40)",
        "#   cp bh-contoso-t1 /etc/network/interfaces.d/",
        "#   ifreload -a -s   (syntax check: prints nothing when the files are right)",
        "#   ifreload -a",
        "#   ifdown br110 vx10110 eth1.110",
        "#   rm /etc/network/interfaces.d/bh-contoso-t1",
      ]),
    );
  });

  it("tagged LAN: the VXLAN device, the VLAN on the trunk and the bridge of both, all at the inner MTU", () => {
    expect(stanzasOf(contoso)).toBe(
      [
        "auto vx10110",
        "iface vx10110 inet manual",
        "    vxlan-id 10110",
        "    vxlan-local-tunnelip 198.51.100.10",
        "    vxlan-remoteip 10.120.8.10",
        "    vxlan-port 4789",
        "    mtu 1377",
        "auto eth1.110",
        "iface eth1.110 inet manual",
        "    vlan-raw-device eth1",
        "    vlan-id 110",
        "    mtu 1377",
        "auto br110",
        "iface br110 inet manual",
        "    bridge-ports vx10110 eth1.110",
        "    bridge-stp off",
        "    bridge-fd 0",
        "    post-up ip link set dev br110 mtu 1377",
      ].join("\n"),
    );
  });

  it("untagged LAN: the NIC itself is the bridge port and takes the inner MTU; the operator's names and port are used", () => {
    const stanzas = stanzasOf(variant(FABRIKAM_INPUT, (input) => void (input.vxlanPort = 8472)));
    expect(stanzas).toContain("iface ens19 inet manual\n    mtu 8950\n");
    expect(stanzas).not.toContain("auto ens19");
    expect(stanzas).toContain("    bridge-ports vx10120 ens19\n");
    expect(stanzas).toContain("    vxlan-port 8472\n");
    expect(stanzas).not.toMatch(/vlan-|ens18/);
  });

  it("ships the guard beside the file and says what it holds: storm control always, the MSS clamp only when needed", () => {
    expect([...filesByName(ifupdown2Target, fabrikam).keys()]).toEqual(["bh-fabrikam-t1", "bh-fabrikam-t1-guard.nft", "bh-fabrikam-t1-guard.service"]);
    expect(only(contoso).contents).toContain("# Guard:       storm control, BPDU filter, TCP MSS clamp to 1337 (IPv4) and 1317 (IPv6) on the tunnel port: ifupdown2 cannot express them,");
    expect(only(fabrikam).contents).toContain("# Guard:       storm control, BPDU filter on the tunnel port: ifupdown2 cannot express them,");
  });

  it("in a pair, keeps the tunnel port down for keepalived (link-down) and brings the pair's files", () => {
    expect(stanzasOf(contosoPrimary)).toContain("iface vx10110 inet manual\n    vxlan-id 10110\n    vxlan-local-tunnelip 198.51.100.10\n    vxlan-remoteip 10.120.8.10\n    vxlan-port 4789\n    mtu 1377\n    link-down yes\n");
    expect(stanzasOf(contoso)).not.toContain("link-down");
    expect([...filesByName(ifupdown2Target, contosoPrimary).keys()].slice(3)).toEqual(["bh-contoso-t1-pair.sh", "bh-contoso-t1-keepalived.conf", "keepalived.conf"]);
  });

  it("refuses an IPv6 underlay, a VNI over ifupdown2's range, Linux-impossible names and L2TPv3, naming the field and the way out", () => {
    const ipv6 = inputError(() =>
      ifupdown2Target.generate(
        variant(CONTOSO_INPUT, (input) => {
          input.tunnel.source.underlayIp = "2001:db8:10::10";
          input.tunnel.avs.underlayIp = "2001:db8:20::10";
        }),
      ),
    );
    expect(ipv6.field).toBe("tunnel.source.underlayIp");
    expect(ipv6.message).toContain("takes only IPv4 VXLAN endpoints");
    expect(ipv6.message).toContain("systemd-networkd");

    const vni = inputError(() => ifupdown2Target.generate(variant(CONTOSO_INPUT, (input) => void (input.tenant.vni = 16_777_215))));
    expect(vni.field).toBe("tenant.vni");
    expect(stanzasOf(variant(CONTOSO_INPUT, (input) => void (input.tenant.vni = 16_777_214)))).toContain("vxlan-id 16777214");

    expect(inputError(() => ifupdown2Target.generate(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "enp129s0f1np")))).field).toBe(
      "tunnel.source.lanInterface",
    );
    const l2tp = inputError(() => ifupdown2Target.generate(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3"))));
    expect(l2tp.field).toBe("tenant.encapsulation");
    expect(l2tp.message).toContain("The ifupdown2 files carry VXLAN only");
  });
});

/**
 * Runs ifupdown2 on an interfaces file that sources `file` (and holds `operatorStanzas`), in a
 * private mount namespace: /run (its lock and state) is a fresh tmpfs, and its configuration is
 * Debian's own with addon_syntax_check=1, which makes the parser reject attributes no addon
 * knows (Debian ships it off, and then a mistyped attribute passes silently).
 *
 * "check" runs `ifup -a -s`, the parser alone. "apply" runs `ifup -a` in a network namespace of
 * its own, with veth stand-ins for `nics`, and returns the links and bridge FDB it made.
 */
function runIfupdown2(mode: "check" | "apply", file: { name: string; contents: string }, options: { operatorStanzas?: string; nics?: string[] } = {}) {
  const work = mkdtempSync(path.join(tmpdir(), "bh-ifupdown2-"));
  try {
    writeFileSync(path.join(work, file.name), file.contents);
    writeFileSync(path.join(work, "interfaces"), ["auto lo", "iface lo inet loopback", "", options.operatorStanzas ?? "", `source ${work}/${file.name}`, ""].join("\n"));
    const debian = readFileSync("/etc/network/ifupdown2/ifupdown2.conf", "utf8");
    writeFileSync(path.join(work, "ifupdown2.conf"), /^addon_syntax_check=/m.test(debian) ? debian.replace(/^addon_syntax_check=.*$/m, "addon_syntax_check=1") : `${debian}\naddon_syntax_check=1\n`);
    const script = [
      "set -euo pipefail",
      'work=$1; mode=$2; nics=$3',
      "mount -t tmpfs tmpfs /run && mkdir /run/network",
      'mount --bind "$work/ifupdown2.conf" /etc/network/ifupdown2/ifupdown2.conf',
      'if [ "$mode" = check ]; then exec ifup -a -s -i "$work/interfaces"; fi',
      // ifupdown2 keeps its state in /var/tmp/network and sets MTUs through /sys.
      "mount -t tmpfs tmpfs /var/tmp && mount -t sysfs sysfs /sys",
      "ip link set lo up",
      'i=0; for nic in $nics; do ip link add name "$nic" type veth peer name "bhpeer$i"; ip link set "bhpeer$i" up; i=$((i + 1)); done',
      'status=0; ifup -a -i "$work/interfaces" || status=$?',
      'ip -j -d link show >"$work/links.json"; bridge -j fdb show >"$work/fdb.json"',
      'exit "$status"',
    ].join("\n");
    const namespaces = mode === "check" ? ["--mount"] : ["--net", "--mount"];
    const result = runTool("unshare", [...namespaces, "bash", "-c", script, "ifupdown2", work, mode, (options.nics ?? []).join(" ")]);
    const read = (name: string) => (existsSync(path.join(work, name)) ? JSON.parse(readFileSync(path.join(work, name), "utf8")) : []);
    return {
      ...result,
      links: read("links.json") as SandboxLink[],
      fdb: read("fdb.json") as { mac: string; ifname: string; dst?: string }[],
      link(name: string) {
        return this.links.find((link) => link.ifname === name);
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** ifreload exists only in ifupdown2 (classic ifupdown has ifup too); namespaces need root. */
const ifupdown2Sandbox: Requirement[] = [
  tool("ifreload", "ifupdown2"),
  tool("unshare", "util-linux"),
  {
    name: "mount namespaces",
    missing: () => {
      const probe = spawnSync("unshare", ["--net", "--mount", "true"], { encoding: "utf8" });
      return probe.status === 0 ? null : `unshare --net --mount fails here: ${probe.stderr?.trim() || `exit ${probe.status}`}`;
    },
  },
];

describeWithTool(ifupdown2Sandbox, "ifupdown2 itself, on the file sourced from an interfaces file", () => {
  it("its syntax check (with attribute checking on) passes the tagged and the untagged file without a word", () => {
    for (const context of [contoso, fabrikam]) {
      const file = only(context);
      const run = runIfupdown2("check", { name: path.basename(file.path), contents: file.contents });
      expect(run.output, file.path).toBe("");
      expect(run.status, file.path).toBe(0);
    }
  });

  it("the check can fail: a mistyped attribute, a VNI out of range and an IPv6 tunnel address are each refused", () => {
    const file = only(fabrikam);
    const check = (contents: string) => runIfupdown2("check", { name: "bh-fabrikam-t1", contents });
    const typo = check(file.contents.replace("vxlan-remoteip", "vxlan-remtoe"));
    expect(typo.status).not.toBe(0);
    expect(typo.stderr).toContain("iface vx10120: unsupported keyword (vxlan-remtoe)");
    const range = check(file.contents.replace("vxlan-id 10120", "vxlan-id 16777215"));
    expect(range.status).not.toBe(0);
    expect(range.stderr).toContain("vxlan-id: value of out range");
    // Why the generator refuses IPv6 rather than writing it.
    const ipv6 = check(file.contents.replace("vxlan-local-tunnelip 203.0.113.20", "vxlan-local-tunnelip 2001:db8:10::10"));
    expect(ipv6.status).not.toBe(0);
    expect(ipv6.stderr).toContain("vxlan-local-tunnelip: invalid value \"2001:db8:10::10\"");
  });

  it("ifup builds vx10120 → br120 ← ens19 at the inner MTU, merged with the operator's own stanza for ens19", () => {
    const file = only(fabrikam);
    for (const operatorStanzas of ["auto ens19\niface ens19 inet manual\n", ""]) {
      const run = runIfupdown2("apply", { name: "bh-fabrikam-t1", contents: file.contents }, { operatorStanzas, nics: ["ens19"] });
      expect(run.status, run.output).toBe(0);
      expect(run.link("vx10120"), run.output).toMatchObject({
        mtu: 8950,
        master: "br120",
        linkinfo: { info_kind: "vxlan", info_data: { id: 10120, local: "203.0.113.20", port: 4789 } },
      });
      // ifupdown2 sends to the remote end through the all-zero FDB entry (head-end replication).
      expect(run.fdb).toContainEqual(expect.objectContaining({ mac: "00:00:00:00:00:00", ifname: "vx10120", dst: "10.120.8.11" }));
      expect(run.link("ens19"), operatorStanzas).toMatchObject({ master: "br120", mtu: 8950 });
      // Without the post-up, ifupdown2 leaves the bridge at 1500.
      expect(run.link("br120")).toMatchObject({ mtu: 8950 });
    }
  });

  it("in a pair, ifup makes the tunnel port a port of the bridge and leaves it down; the check passes link-down", () => {
    const file = only(variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tunnel.source.lanTagged = false)));
    expect(runIfupdown2("check", { name: "bh-contoso-t1", contents: file.contents }).output).toBe("");
    const run = runIfupdown2("apply", { name: "bh-contoso-t1", contents: file.contents }, { nics: ["eth1"] });
    expect(run.status, run.output).toBe(0);
    expect(run.link("vx10110"), run.output).toMatchObject({ master: "br110", mtu: 1377 });
    expect(run.link("vx10110")?.flags).not.toContain("UP");
    expect(run.link("eth1")).toMatchObject({ master: "br110", flags: expect.arrayContaining(["UP"]) });
  });

  it("in a pair, ifreload -a on the active gateway leaves its tunnel port up and its gate open; on the standby, down and closed", () => {
    // The tunnel's files as the header installs them (untagged, so eth1 is the LAN port), keepalived
    // played by calling the helper's notify; then what an operator (or Proxmox VE's GUI) runs after any change.
    const context = variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tunnel.source.lanTagged = false));
    const files = filesByName(ifupdown2Target, context);
    const work = mkdtempSync(path.join(tmpdir(), "bh-ifupdown2-pair-"));
    try {
      for (const [name, file] of files) writeFileSync(path.join(work, name), file.contents, { mode: file.mode });
      writeFileSync(path.join(work, "interfaces"), ["auto lo", "iface lo inet loopback", "", `source ${work}/bh-contoso-t1`, ""].join("\n"));
      const script = [
        "set -euo pipefail",
        "work=$1",
        "mount -t tmpfs tmpfs /run && mkdir -p /run/network /run/bridgehead",
        "mount -t tmpfs tmpfs /var/tmp && mount -t sysfs sysfs /sys",
        'mount --bind "$work/interfaces" /etc/network/interfaces',
        'mount -t tmpfs tmpfs /usr/local/lib && mkdir /usr/local/lib/bridgehead && install -m 755 "$work/bh-contoso-t1-pair.sh" /usr/local/lib/bridgehead/',
        "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
        "ip link set lo up",
        "ip link add name eth1 type veth peer name bhpeer0 && ip link set bhpeer0 up",
        "ip link add name eth0 type veth peer name bhpeer1 && ip link set bhpeer1 up && ip addr add 198.51.100.10/24 dev eth0 && ip link set eth0 up",
        'nft -f "$work/bh-contoso-t1-guard.nft"',
        "helper=/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh",
        'show() { echo "$1 vx=$(cat /sys/class/net/vx10110/operstate) gate=$(nft list chain bridge bh_contoso_t1_source gate | grep -c drop || true)"; }',
        'ifup -a -i "$work/interfaces" >/dev/null 2>&1',
        'show up',
        '"$helper" notify INSTANCE bh_contoso_t1_source MASTER 200; show active',
        "ifreload -a >/dev/null 2>&1",
        'show active-reloaded',
        '"$helper" notify INSTANCE bh_contoso_t1_source BACKUP 100; show standby',
        "ifreload -a >/dev/null 2>&1",
        'show standby-reloaded',
      ].join("\n");
      const result = runTool("unshare", ["--net", "--mount", "bash", "-c", script, "ifupdown2", work]);
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      // gate=2: the gate's two drop rules (closed); 0: open. A VXLAN device that is up reads "unknown".
      expect(result.stdout.trim().split("\n")).toEqual([
        "up vx=down gate=2",
        "active vx=unknown gate=0",
        "active-reloaded vx=unknown gate=0",
        "standby vx=down gate=2",
        "standby-reloaded vx=down gate=2",
      ]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  const vlans = kernelHasVlans();
  it.skipIf(!vlans)(`ifup builds eth1.110 (VLAN 110 on the trunk eth1) into br110${vlans ? "" : " [SKIPPED: this kernel cannot make 802.1Q devices (8021q)]"}`, () => {
    const file = only(contoso);
    const run = runIfupdown2("apply", { name: "bh-contoso-t1", contents: file.contents }, { nics: ["eth1"] });
    expect(run.status, run.output).toBe(0);
    expect(run.link("eth1.110"), run.output).toMatchObject({ master: "br110", mtu: 1377, linkinfo: { info_kind: "vlan", info_data: { id: 110 } } });
    expect(run.link("br110")).toMatchObject({ mtu: 1377 });
  });
});
