import { describe, expect, it } from "vitest";
import { describeWithTool } from "@/tests/support/gateway-tools";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { type GatewayContext, type GeneratedFile } from "../types";
import { kernelHasVlans, networkdSandbox, runNetworkd } from "@/tests/support/networkd-sandbox";
import { systemdNetworkdTarget } from "./systemd-networkd";
import { filesByName, inputError, LINUX_SOURCE, variant } from "@/tests/support/gateway-variants";

const { contoso, fabrikam, contosoUntagged, contosoIpv6: ipv6, contosoPrimary } = LINUX_SOURCE;

function filesOf(context: GatewayContext): Map<string, GeneratedFile> {
  return filesByName(systemdNetworkdTarget, context);
}

function contentsOf(context: GatewayContext, name: string): string {
  const file = filesOf(context).get(name);
  if (!file) throw new Error(`no ${name} among ${[...filesOf(context).keys()].join(", ")}`);
  return file.contents;
}

/** The settings of a unit file as section → "Key=value" lines, comments and blanks left out. */
function settings(contents: string): Record<string, string[]> {
  const sections: Record<string, string[]> = {};
  let current = "";
  for (const line of contents.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section?.[1]) current = section[1];
    else (sections[current] ??= []).push(line);
  }
  return sections;
}

/** The units as networkd would find them after "case a)" of the Apply steps: every 60-bh-* file copied. */
function unitsAsCopied(context: GatewayContext): Record<string, string> {
  return Object.fromEntries([...filesOf(context)].filter(([name]) => name.startsWith("60-bh-")).map(([name, file]) => [name, file.contents]));
}


describe("systemdNetworkdTarget", () => {
  it("is a source-gateway target, applied early, for VXLAN tenants only", () => {
    expect(systemdNetworkdTarget).toMatchObject({ id: "systemd-networkd", role: "source-gateway", sides: ["source"], applyOrder: 20 });
    expect(systemdNetworkdTarget.appliesTo(contoso)).toBe(true);
    expect(systemdNetworkdTarget.appliesTo(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3")))).toBe(false);
  });

  it("writes the VXLAN, bridge and VLAN units, the LAN NIC's base .network and the tenant's drop-in for it", () => {
    expect([...filesOf(contoso)].map(([name, file]) => [name, file.mode])).toEqual([
      ["60-bh-contoso-vx10110.netdev", 0o644],
      ["60-bh-contoso-vx10110.network", 0o644],
      ["60-bh-contoso-br110.netdev", 0o644],
      ["60-bh-contoso-br110.network", 0o644],
      ["60-bh-contoso-eth1.110.netdev", 0o644],
      ["60-bh-contoso-eth1.110.network", 0o644],
      ["60-bh-lan-eth1.network", 0o644],
      ["60-bh-lan-eth1.network.d/60-bh-contoso-t1.conf", 0o644],
      ["bh-contoso-t1-guard.nft", 0o644],
      ["bh-contoso-t1-guard.service", 0o644],
    ]);
  });

  it("starts every file with the header: tenant, ends, MTU arithmetic, and how to apply and undo without replacing the NIC's own file", () => {
    for (const [name, file] of filesOf(contoso)) {
      const lines = file.contents.split("\n");
      expect(lines[0], name).toMatch(/^# Source-site gateway, systemd-networkd: /);
      expect(lines, name).toEqual(
        expect.arrayContaining([
          "# Tenant:      Contoso Manufacturing (contoso)",
          "# Source end:  contoso-gw1 198.51.100.10",
          "# AVS end:     contoso-bridge1 10.120.8.10 (segment bh-contoso)",
          "# MTU budget:  underlay MTU 1500 − 50 VXLAN over IPv4 − 73 IPsec ESP (tunnel mode, worst case) = inner MTU 1377; TCP MSS 1337 (inner MTU − 40)",
          "#   a) \"n/a\" (networkd does not manage eth1 yet): cp -r 60-bh-* /etc/systemd/network/",
          "#        cp 60-bh-contoso-vx10110.* 60-bh-contoso-br110.* 60-bh-contoso-eth1.110.* /etc/systemd/network/",
          "#        cp 60-bh-lan-eth1.network.d/60-bh-contoso-t1.conf /etc/systemd/network/10-eth1.network.d/",
          "#   networkctl reload",
          "#   ip link del vx10110; ip link del br110; ip link del eth1.110   (networkd leaves devices whose files are gone)",
        ]),
      );
    }
  });

  it("builds unicast VXLAN from the source underlay address to the AVS one, on the VXLAN port, at the inner MTU, unbound from the underlay NIC", () => {
    expect(settings(contentsOf(contoso, "60-bh-contoso-vx10110.netdev"))).toEqual({
      NetDev: ["Name=vx10110", "Kind=vxlan", "MTUBytes=1377"],
      VXLAN: ["VNI=10110", "Local=198.51.100.10", "Remote=10.120.8.10", "DestinationPort=4789", "Independent=yes"],
    });
    expect(settings(contentsOf(contoso, "60-bh-contoso-vx10110.network"))).toMatchObject({ Link: ["MTUBytes=1377", "RequiredForOnline=no"] });
    expect(settings(contentsOf(contoso, "60-bh-contoso-vx10110.network")).Network).toContain("Bridge=br110");
    // Nothing anywhere names the underlay NIC in a setting: its own .network stays the operator's.
    for (const [, file] of filesOf(contoso)) expect(Object.values(settings(file.contents)).flat().join("\n")).not.toMatch(/eth0|VXLAN=/);

    const port = variant(FABRIKAM_INPUT, (input) => void (input.vxlanPort = 8472));
    expect(settings(contentsOf(port, "60-bh-fabrikam-vx10120.netdev")).VXLAN).toContain("DestinationPort=8472");
  });

  it("gives the bridge the inner MTU and no address of its own", () => {
    expect(settings(contentsOf(fabrikam, "60-bh-fabrikam-br120.netdev"))).toEqual({ NetDev: ["Name=br120", "Kind=bridge", "MTUBytes=8950"], Bridge: ["STP=no"] });
    expect(settings(contentsOf(fabrikam, "60-bh-fabrikam-br120.network"))).toEqual({
      Match: ["Name=br120"],
      Link: ["MTUBytes=8950", "RequiredForOnline=no"],
      Network: ["LinkLocalAddressing=no", "IPv6AcceptRA=no", "ConfigureWithoutCarrier=yes"],
    });
  });

  it("tagged LAN: an 802.1Q sub-interface <lan>.<vlan> in the bridge, created by the drop-in's VLAN= on the trunk", () => {
    expect(settings(contentsOf(contoso, "60-bh-contoso-eth1.110.netdev"))).toEqual({ NetDev: ["Name=eth1.110", "Kind=vlan"], VLAN: ["Id=110"] });
    expect(settings(contentsOf(contoso, "60-bh-contoso-eth1.110.network"))).toMatchObject({ Link: ["MTUBytes=1377", "RequiredForOnline=no"] });
    expect(settings(contentsOf(contoso, "60-bh-contoso-eth1.110.network")).Network).toContain("Bridge=br110");
    expect(settings(contentsOf(contoso, "60-bh-lan-eth1.network.d/60-bh-contoso-t1.conf"))).toEqual({ Network: ["VLAN=eth1.110"] });
  });

  it("untagged LAN: no VLAN units; the drop-in puts the NIC itself in the bridge", () => {
    const files = filesOf(fabrikam);
    expect([...files.keys()].filter((name) => name.includes(".120"))).toEqual([]);
    expect(settings(contentsOf(fabrikam, "60-bh-lan-ens19.network.d/60-bh-fabrikam-t1.conf"))).toEqual({ Link: ["MTUBytes=8950"], Network: ["Bridge=br120"] });
    expect(settings(contentsOf(fabrikam, "60-bh-lan-ens19.network")).Match).toEqual(["Name=ens19"]);
    expect(contentsOf(fabrikam, "60-bh-fabrikam-vx10120.netdev")).toContain("# Underlay:    ens18 is not configured here");
  });

  it("carries an IPv6 underlay as written by the console's canonical form", () => {
    expect(settings(contentsOf(ipv6, "60-bh-contoso-vx10110.netdev")).VXLAN).toEqual(
      expect.arrayContaining(["Local=2001:db8:10::10", "Remote=2001:db8:20::10"]),
    );
    // 70 bytes of VXLAN over IPv6 and 93 of ESP: 1500 − 163.
    expect(settings(contentsOf(ipv6, "60-bh-contoso-vx10110.netdev")).NetDev).toContain("MTUBytes=1337");
  });

  it("points every unit to the guard, which the format cannot express, and says what it holds", () => {
    for (const [name, file] of [...filesOf(contoso)].filter(([unit]) => unit.startsWith("60-"))) {
      expect(file.contents, name).toContain("# Guard:       storm control, BPDU filter, TCP MSS clamp to 1337 (IPv4) and 1317 (IPv6) on the tunnel port: systemd-networkd cannot express them,");
      expect(file.contents, name).toContain("#              so they are the nftables table in bh-contoso-t1-guard.nft, loaded at boot by bh-contoso-t1-guard.service.");
    }
    // Fabrikam's 8950-byte tunnel needs no clamp, but its port gets storm control all the same.
    expect(contentsOf(fabrikam, "60-bh-fabrikam-vx10120.netdev")).toContain("# Guard:       storm control, BPDU filter on the tunnel port:");
    expect(contentsOf(fabrikam, "bh-fabrikam-t1-guard.nft")).not.toContain("maxseg");
    expect(contentsOf(contoso, "60-bh-contoso-vx10110.netdev")).toContain("#     install -D -m 644 bh-contoso-t1-guard.nft /etc/nftables.d/bh-contoso-t1-guard.nft");
  });

  it("in a pair, leaves the tunnel port to keepalived and brings the pair's files", () => {
    const files = filesOf(contosoPrimary);
    expect([...files.keys()].filter((name) => !name.startsWith("60-"))).toEqual([
      "bh-contoso-t1-guard.nft",
      "bh-contoso-t1-guard.service",
      "bh-contoso-t1-pair.sh",
      "bh-contoso-t1-keepalived.conf",
      "keepalived.conf",
    ]);
    expect(settings(contentsOf(contosoPrimary, "60-bh-contoso-vx10110.network")).Link).toContain("ActivationPolicy=manual");
    // Without a pair nothing changes: networkd brings the port up itself.
    expect(contentsOf(contoso, "60-bh-contoso-vx10110.network")).not.toContain("ActivationPolicy");
    expect(files.get("bh-contoso-t1-pair.sh")?.mode).toBe(0o755);
    expect(contentsOf(contosoPrimary, "60-bh-contoso-br110.netdev")).toContain("# Pair:        this tunnel is the primary of an active/standby pair with tunnel standby (#2)");
  });

  it("refuses names Linux cannot have and L2TPv3, naming the field and what to do", () => {
    const fifteen = "abcdefghijklmno";
    expect(contentsOf(variant(FABRIKAM_INPUT, (input) => void (input.tunnel.source.lanInterface = fifteen)), `60-bh-lan-${fifteen}.network`)).toContain(`Name=${fifteen}`);

    const long = inputError(() => systemdNetworkdTarget.generate(variant(FABRIKAM_INPUT, (input) => void (input.tunnel.source.lanInterface = `${fifteen}p`))));
    expect(long.field).toBe("tunnel.source.lanInterface");
    expect(long.message).toContain("16 characters; Linux interface names are at most 15");

    const slash = inputError(() => systemdNetworkdTarget.generate(variant(FABRIKAM_INPUT, (input) => void (input.tunnel.source.underlayInterface = "Gi0/0/1"))));
    expect(slash.field).toBe("tunnel.source.underlayInterface");
    expect(slash.message).toContain('contains "/"');

    // 12 characters + ".110" is 16: the VLAN sub-interface could not exist.
    const vlan = inputError(() => systemdNetworkdTarget.generate(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "enp129s0f1np"))));
    expect(vlan.field).toBe("tunnel.source.lanInterface");
    expect(vlan.message).toContain('"enp129s0f1np.110" would be 16 characters');
    expect(vlan.message).toContain("at most 11 characters");

    const shared = inputError(() =>
      systemdNetworkdTarget.generate(
        variant(FABRIKAM_INPUT, (input) => {
          input.tunnel.source.lanInterface = "ens18";
        }),
      ),
    );
    expect(shared.field).toBe("tunnel.source.lanInterface");
    expect(shared.message).toContain("both \"ens18\"");

    const l2tp = inputError(() => systemdNetworkdTarget.generate(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3"))));
    expect(l2tp.field).toBe("tenant.encapsulation");
    expect(l2tp.message).toContain("carry VXLAN only, and this tenant uses L2TPV3");
    expect(l2tp.message).toContain("linux-iproute2");
    expect(l2tp.message).toContain("switch the tenant's encapsulation to VXLAN");
  });

});

describeWithTool(networkdSandbox, "systemd-networkd itself, on the units in a throw-away network namespace", () => {
  it("untagged LAN NIC networkd did not manage: every unit parses, and networkd builds vx10120 → br120 ← ens19 as the header says", () => {
    const run = runNetworkd(unitsAsCopied(fabrikam), { nics: ["ens19"], waitFor: ["vx10120", "br120", "ens19"] });
    expect(run.problems, run.log).toEqual([]);
    expect(run.link("vx10120"), run.log).toMatchObject({
      mtu: 8950,
      master: "br120",
      linkinfo: { info_kind: "vxlan", info_data: { id: 10120, local: "203.0.113.20", remote: "10.120.8.11", port: 4789 } },
    });
    expect(run.link("br120")).toMatchObject({ mtu: 8950, linkinfo: { info_kind: "bridge" } });
    expect(run.link("ens19")).toMatchObject({ master: "br120", mtu: 8950 });
  });

  it("a LAN NIC with a .network of the operator's: the drop-in attaches it and the operator's own settings still apply", () => {
    const units = unitsAsCopied(contosoUntagged);
    const dropIn = units["60-bh-lan-eth1.network.d/60-bh-contoso-t1.conf"];
    delete units["60-bh-lan-eth1.network"];
    delete units["60-bh-lan-eth1.network.d/60-bh-contoso-t1.conf"];
    const operators = "[Match]\nName=eth1\n\n[Link]\nARP=no\n\n[Network]\nLinkLocalAddressing=no\n";
    const run = runNetworkd(
      { ...units, "10-eth1.network": operators, "10-eth1.network.d/60-bh-contoso-t1.conf": dropIn ?? "" },
      { nics: ["eth1"], waitFor: ["vx10110", "br110", "eth1"] },
    );
    expect(run.problems, run.log).toEqual([]);
    expect(run.log).toContain("eth1: Configuring with /etc/systemd/network/10-eth1.network.");
    expect(run.link("eth1"), run.log).toMatchObject({ master: "br110", mtu: 1377, flags: expect.arrayContaining(["NOARP"]) });
    expect(run.link("vx10110")).toMatchObject({ master: "br110", mtu: 1377 });
    expect(run.link("br110")).toMatchObject({ mtu: 1377 });
  });

  it("IPv6 underlay: networkd makes the VXLAN device with the IPv6 ends", () => {
    const untagged = variant(CONTOSO_INPUT, (input) => {
      input.tunnel.source.underlayIp = "2001:db8:10::10";
      input.tunnel.avs.underlayIp = "2001:db8:20::10";
      input.tunnel.source.lanTagged = false;
    });
    const run = runNetworkd(unitsAsCopied(untagged), { nics: ["eth1"], waitFor: ["vx10110", "br110"] });
    expect(run.problems, run.log).toEqual([]);
    expect(run.link("vx10110"), run.log).toMatchObject({ mtu: 1337, linkinfo: { info_data: { id: 10110, local6: "2001:db8:10::10", remote6: "2001:db8:20::10" } } });
  });

  it("tagged LAN: every unit, the VLAN ones included, parses without a complaint, and the VXLAN device and bridge come up", () => {
    const run = runNetworkd(unitsAsCopied(contoso), { nics: ["eth1"], waitFor: ["vx10110", "br110"] });
    expect(run.problems, run.log).toEqual([]);
    expect(run.link("vx10110"), run.log).toMatchObject({ mtu: 1377, master: "br110", linkinfo: { info_data: { id: 10110 } } });
    expect(run.link("br110")).toMatchObject({ mtu: 1377 });
  });

  const vlans = kernelHasVlans();
  it.skipIf(!vlans)(`tagged LAN: networkd makes eth1.110 (VLAN 110 on eth1) a port of br110${vlans ? "" : " [SKIPPED: this kernel cannot make 802.1Q devices (8021q)]"}`, () => {
    const run = runNetworkd(unitsAsCopied(contoso), { nics: ["eth1"], waitFor: ["vx10110", "br110", "eth1.110"] });
    expect(run.link("eth1.110"), run.log).toMatchObject({ master: "br110", linkinfo: { info_kind: "vlan", info_data: { id: 110 } } });
  });

  it("in a pair: every unit parses, the tunnel port is enslaved to the bridge but left down for keepalived", () => {
    const untaggedPair = variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tunnel.source.lanTagged = false));
    // br110 never counts as "configured" while a port is left to someone else: wait for the LAN NIC.
    const run = runNetworkd(unitsAsCopied(untaggedPair), { nics: ["eth1"], waitFor: ["eth1"] });
    expect(run.problems, run.log).toEqual([]);
    expect(run.link("vx10110"), run.log).toMatchObject({ master: "br110", mtu: 1377 });
    expect(run.link("vx10110")?.flags).not.toContain("UP");
    expect(run.link("eth1")).toMatchObject({ master: "br110", flags: expect.arrayContaining(["UP"]) });
  });

  it("the check can fail: networkd's complaints about a mistyped key or a bad value are caught, and the bad device is not made", () => {
    const units = unitsAsCopied(fabrikam);
    const netdev = units["60-bh-fabrikam-vx10120.netdev"] ?? "";
    const typo = runNetworkd({ ...units, "60-bh-fabrikam-vx10120.netdev": netdev.replace("Remote=", "Remtoe=") }, { nics: ["ens19"] });
    expect(typo.problems.join("\n")).toMatch(/60-bh-fabrikam-vx10120\.netdev:\d+: Unknown key 'Remtoe' in section \[VXLAN\]/);

    const badVni = runNetworkd({ ...units, "60-bh-fabrikam-vx10120.netdev": netdev.replace("VNI=10120", "VNI=ten") }, { nics: ["ens19"] });
    expect(badVni.problems.join("\n")).toContain("60-bh-fabrikam-vx10120.netdev: VXLAN without valid VNI");
    expect(badVni.link("vx10120")).toBeUndefined();
  });
});
