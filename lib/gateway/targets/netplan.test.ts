import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeWithTool, runTool, tool } from "@/tests/support/gateway-tools";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { type GatewayContext } from "../types";
import { networkdSandbox, runNetworkd } from "@/tests/support/networkd-sandbox";
import { netplanTarget } from "./netplan";
import { commandLines, filesByName, formatFile, inputError, LINUX_SOURCE, variant } from "@/tests/support/gateway-variants";

const { contoso, fabrikam, fabrikamIpv6: ipv6, contosoPrimary } = LINUX_SOURCE;

function only(context: GatewayContext) {
  return formatFile(netplanTarget, context);
}

/** The YAML without comments: what netplan reads. */
function yamlOf(context: GatewayContext): string {
  return commandLines(only(context).contents, "#").join("\n");
}


describe("netplanTarget", () => {
  it("is one 0600 file per tunnel beside its guard (and, in a pair, the pair's files), for VXLAN tenants only", () => {
    expect([...filesByName(netplanTarget, contoso)].map(([name, file]) => [name, file.mode])).toEqual([
      ["60-bh-contoso-t1.yaml", 0o600],
      ["bh-contoso-t1-guard.nft", 0o644],
      ["bh-contoso-t1-guard.service", 0o644],
    ]);
    expect([...filesByName(netplanTarget, contosoPrimary).keys()]).toEqual([
      "60-bh-contoso-t1.yaml",
      "bh-contoso-t1-guard.nft",
      "bh-contoso-t1-guard.service",
      "bh-contoso-t1-pair.sh",
      "bh-contoso-t1-keepalived.conf",
      "keepalived.conf",
    ]);
    expect(netplanTarget).toMatchObject({ id: "netplan", role: "source-gateway", sides: ["source"], applyOrder: 20 });
    expect(netplanTarget.appliesTo(contoso)).toBe(true);
    expect(netplanTarget.appliesTo(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3")))).toBe(false);
    expect(only(contoso)).toMatchObject({ path: "source/netplan/60-bh-contoso-t1.yaml", mode: 0o600 });
    expect(only(variant(CONTOSO_INPUT, (input) => void (input.tunnel.ordinal = 2))).path).toBe("source/netplan/60-bh-contoso-t2.yaml");
  });

  it("starts with the header: tenant, ends, MTU arithmetic, apply with netplan try and undo", () => {
    const lines = only(contoso).contents.split("\n");
    expect(lines[0]).toBe("# Source-site gateway, netplan (VXLAN tunnel, bridge and LAN port)");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# Tenant:      Contoso Manufacturing (contoso)",
        "# MTU budget:  underlay MTU 1500 − 50 VXLAN over IPv4 − 73 IPsec ESP (tunnel mode, worst case) = inner MTU 1377; TCP MSS 1337 (inner MTU − 40)",
        "#   install -m 600 60-bh-contoso-t1.yaml /etc/netplan/",
        "#   netplan try        (applies, and rolls back after 120 s unless you press Enter)",
        "#   rm /etc/netplan/60-bh-contoso-t1.yaml",
        "#   ip link del vx10110; ip link del br110; ip link del eth1.110   (netplan apply leaves virtual devices it no longer describes)",
      ]),
    );
  });

  it("tagged LAN: a VXLAN tunnel, the VLAN on the trunk and the bridge of both, all at the inner MTU; the trunk itself untouched", () => {
    expect(yamlOf(contoso)).toBe(
      [
        "network:",
        "  version: 2",
        "  ethernets:",
        "    eth1: {}",
        "  tunnels:",
        "    vx10110:",
        "      mode: vxlan",
        "      id: 10110",
        '      local: "198.51.100.10"',
        '      remote: "10.120.8.10"',
        "      port: 4789",
        "      mtu: 1377",
        "      link-local: []",
        "      accept-ra: false",
        "  vlans:",
        "    eth1.110:",
        "      id: 110",
        "      link: eth1",
        "      mtu: 1377",
        "      link-local: []",
        "      accept-ra: false",
        "  bridges:",
        "    br110:",
        "      interfaces: [vx10110, eth1.110]",
        "      mtu: 1377",
        "      link-local: []",
        "      accept-ra: false",
      ].join("\n"),
    );
  });

  it("untagged LAN: no VLAN; the NIC itself joins the bridge at the inner MTU; the operator's names and port are used", () => {
    const yaml = yamlOf(variant(FABRIKAM_INPUT, (input) => void (input.vxlanPort = 8472)));
    expect(yaml).not.toContain("vlans:");
    expect(yaml).toContain("  ethernets:\n    ens19:\n      mtu: 8950\n");
    expect(yaml).toContain("      port: 8472\n");
    expect(yaml).toContain("      interfaces: [vx10120, ens19]\n      mtu: 8950\n");
    expect(yaml).not.toContain("ens18");
  });

  it("declares a bonded trunk under bonds:, where the operator's netplan has it", () => {
    expect(yamlOf(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "bond0")))).toContain("  bonds:\n    bond0: {}\n  tunnels:");
  });

  it("writes IPv6 underlay addresses quoted, in canonical form", () => {
    expect(yamlOf(ipv6)).toContain('      local: "2001:db8:10::10"\n      remote: "2001:db8:20::10"\n');
  });

  it("says where the guard is: storm control always, the MSS clamp only when 1500-byte packets do not fit", () => {
    expect(only(contoso).contents).toContain("# Guard:       storm control, BPDU filter, TCP MSS clamp to 1337 (IPv4) and 1317 (IPv6) on the tunnel port: netplan cannot express them,");
    expect(only(fabrikam).contents).toContain("# Guard:       storm control, BPDU filter on the tunnel port: netplan cannot express them,");
    expect(only(contoso).contents).toContain("#     install -D -m 644 bh-contoso-t1-guard.nft /etc/nftables.d/bh-contoso-t1-guard.nft");
  });

  it("in a pair, leaves the tunnel to keepalived: activation-mode manual on it, nowhere else", () => {
    const yaml = yamlOf(contosoPrimary);
    expect(yaml).toContain('    vx10110:\n      mode: vxlan\n      id: 10110\n      local: "198.51.100.10"\n      remote: "10.120.8.10"\n      port: 4789\n      mtu: 1377\n      link-local: []\n      accept-ra: false\n      activation-mode: manual\n  vlans:');
    expect(yaml.match(/activation-mode/g)).toHaveLength(1);
    expect(yamlOf(contoso)).not.toContain("activation-mode");
  });

  it("refuses what netplan on Linux cannot take, naming the field", () => {
    expect(inputError(() => netplanTarget.generate(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "enp129s0f1np")))).field).toBe(
      "tunnel.source.lanInterface",
    );
    expect(inputError(() => netplanTarget.generate(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.underlayInterface = "GigabitEthernet1")))).message).toContain(
      '"GigabitEthernet1" is 16 characters; Linux interface names are at most 15',
    );
    const l2tp = inputError(() => netplanTarget.generate(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3"))));
    expect(l2tp.field).toBe("tenant.encapsulation");
    expect(l2tp.message).toContain("The netplan files carry VXLAN only");
  });
});

/** An operator's existing netplan: the underlay by DHCP, the trunk with its own jumbo MTU. */
const OPERATORS_NETPLAN = ["network:", "  version: 2", "  ethernets:", "    eth0:", "      dhcp4: true", "    eth1:", "      mtu: 9000", ""].join("\n");

/** Runs `netplan generate` on /etc/netplan holding `files`, as netplan would on the gateway. */
function netplanGenerate(files: Record<string, { contents: string; mode: number }>) {
  const root = mkdtempSync(path.join(tmpdir(), "bh-netplan-"));
  try {
    mkdirSync(path.join(root, "etc/netplan"), { recursive: true });
    for (const [name, file] of Object.entries(files)) {
      const target = path.join(root, "etc/netplan", name);
      writeFileSync(target, file.contents);
      chmodSync(target, file.mode);
    }
    const result = runTool("netplan", ["generate", "--root-dir", root]);
    const outDir = path.join(root, "run/systemd/network");
    let units: Record<string, string> = {};
    try {
      units = Object.fromEntries(readdirSync(outDir).map((name) => [name, readFileSync(path.join(outDir, name), "utf8")]));
    } catch {
      // No output: the status and stderr say why.
    }
    return { ...result, units };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describeWithTool(tool("netplan", "netplan.io"), "netplan generate, on the file beside an operator's own netplan", () => {
  it("accepts the tagged file without a warning and renders the VXLAN device, VLAN and bridge for networkd, the operator's settings kept", () => {
    const file = only(contoso);
    const run = netplanGenerate({ "50-cloud-init.yaml": { contents: OPERATORS_NETPLAN, mode: 0o600 }, "60-bh-contoso-t1.yaml": file });
    expect(run.output).toBe("");
    expect(run.status).toBe(0);
    expect(run.units["10-netplan-vx10110.netdev"]).toMatch(
      /\[NetDev\]\nName=vx10110\nMTUBytes=1377\nKind=vxlan\n\n\[VXLAN\]\nVNI=10110\nRemote=10\.120\.8\.10\nLocal=198\.51\.100\.10\nDestinationPort=4789\nIndependent=true\n/,
    );
    expect(run.units["10-netplan-eth1.110.netdev"]).toContain("Kind=vlan\n\n[VLAN]\nId=110\n");
    expect(run.units["10-netplan-eth1.110.network"]).toContain("Bridge=br110");
    expect(run.units["10-netplan-vx10110.network"]).toContain("Bridge=br110");
    // Merged, not replaced: the trunk keeps the operator's MTU and gains the VLAN; the underlay keeps DHCP.
    expect(run.units["10-netplan-eth1.network"]).toContain("MTUBytes=9000");
    expect(run.units["10-netplan-eth1.network"]).toContain("VLAN=eth1.110");
    expect(run.units["10-netplan-eth0.network"]).toContain("DHCP=ipv4");
  });

  it("the check can fail: netplan refuses a broken variant of the file and a too-open mode draws its warning", () => {
    const file = only(contoso);
    const typo = netplanGenerate({ "60-bh-contoso-t1.yaml": { ...file, contents: file.contents.replace("      remote:", "      remtoe:") } });
    expect(typo.status).not.toBe(0);
    expect(typo.stderr).toMatch(/60-bh-contoso-t1\.yaml:\d+:\d+: Error in network definition: unknown key 'remtoe'/);

    const badMode = netplanGenerate({ "60-bh-contoso-t1.yaml": { ...file, mode: 0o644 } });
    expect(badMode.stderr).toContain("Permissions for");
    expect(badMode.stderr).toContain("are too open");
  });

  it("renders the pair's manual tunnel port for networkd without a warning", () => {
    const run = netplanGenerate({ "60-bh-contoso-t1.yaml": only(contosoPrimary) });
    expect(run.output).toBe("");
    expect(run.units["10-netplan-vx10110.network"]).toContain("ActivationPolicy=manual");
  });

  describeWithTool(networkdSandbox, "and systemd-networkd on netplan's output", () => {
    it("untagged: networkd builds vx10120 and ens19 into br120 at the inner MTU", () => {
      const run = netplanGenerate({ "60-bh-fabrikam-t1.yaml": only(fabrikam) });
      expect(run.status, run.output).toBe(0);
      const networkd = runNetworkd(run.units, { nics: ["ens19"], waitFor: ["vx10120", "br120", "ens19"] });
      expect(networkd.problems, networkd.log).toEqual([]);
      expect(networkd.link("vx10120"), networkd.log).toMatchObject({
        mtu: 8950,
        master: "br120",
        linkinfo: { info_kind: "vxlan", info_data: { id: 10120, local: "203.0.113.20", remote: "10.120.8.11", port: 4789 } },
      });
      expect(networkd.link("ens19")).toMatchObject({ master: "br120", mtu: 8950 });
      expect(networkd.link("br120")).toMatchObject({ mtu: 8950 });
    });

    it("IPv6 underlay: networkd makes the VXLAN device with the IPv6 ends", () => {
      const run = netplanGenerate({ "60-bh-fabrikam-t1.yaml": only(ipv6) });
      expect(run.status, run.output).toBe(0);
      const networkd = runNetworkd(run.units, { nics: ["ens19"], waitFor: ["vx10120", "br120"] });
      expect(networkd.problems, networkd.log).toEqual([]);
      expect(networkd.link("vx10120"), networkd.log).toMatchObject({ mtu: 8930, linkinfo: { info_data: { local6: "2001:db8:10::10", remote6: "2001:db8:20::10" } } });
    });
  });
});
