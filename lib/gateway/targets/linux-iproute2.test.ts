import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { itWithTool, runTool } from "@/tests/support/gateway-tools";
import { gatewayContext, type GatewayContextInput } from "../context";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { type GatewayContext } from "../types";
import { linuxIproute2Target, renderLinuxVxlanScripts } from "./linux-iproute2";
import { inputError, LINUX_SOURCE } from "@/tests/support/gateway-variants";

type Override = { tenant?: Partial<GatewayContextInput["tenant"]>; source?: Partial<GatewayContextInput["tunnel"]["source"]>; avs?: Partial<GatewayContextInput["tunnel"]["avs"]> };

function variant(base: GatewayContextInput, override: Override = {}): GatewayContext {
  return gatewayContext({
    ...base,
    tenant: { ...base.tenant, ...override.tenant },
    tunnel: { ...base.tunnel, source: { ...base.tunnel.source, ...override.source }, avs: { ...base.tunnel.avs, ...override.avs } },
  });
}

function generate(context: GatewayContext) {
  const files = linuxIproute2Target.generate(context);
  const apply = files.find((file) => file.path.endsWith("-apply.sh"));
  const teardown = files.find((file) => file.path.endsWith("-teardown.sh"));
  if (!apply || !teardown) throw new Error(`expected an apply and a teardown script, got ${files.map((file) => file.path).join(", ")}`);
  return { files, apply: apply.contents, teardown: teardown.contents };
}


// Contoso: IPsec on a 1500 underlay (inner MTU 1377, clamp), VLAN tagged on the default eth1.
const contoso = gatewayContext(CONTOSO_INPUT);
// Fabrikam: ExpressRoute on a 9000 underlay (inner MTU 8950, no clamp), untagged on ens19.
const fabrikam = gatewayContext(FABRIKAM_INPUT);
const ipv6 = variant(CONTOSO_INPUT, { source: { underlayIp: "2001:DB8:10:0:0:0:0:10" }, avs: { underlayIp: "2001:db8:20::10" } });
const hostileName = variant(FABRIKAM_INPUT, { tenant: { displayName: "O'Brien & Sons (EU/UK) + co." } });

describe("linuxIproute2Target", () => {
  it("writes an apply and a teardown script for the source end, executable, named for the tenant and tunnel", () => {
    expect(linuxIproute2Target).toMatchObject({ id: "linux-iproute2", role: "source-gateway", sides: ["source"] });
    expect(generate(contoso).files.map(({ path: filePath, mode }) => [filePath, mode])).toEqual([
      ["source/linux-iproute2/bh-contoso-t1-apply.sh", 0o755],
      ["source/linux-iproute2/bh-contoso-t1-teardown.sh", 0o755],
    ]);
  });

  it("starts both scripts with the shebang, then the header: tenant, VLAN, VNI, both ends and the MTU arithmetic", () => {
    for (const script of [generate(contoso).apply, generate(contoso).teardown]) {
      const lines = script.split("\n");
      expect(lines[0]).toBe("#!/usr/bin/env bash");
      expect(lines[1]).toMatch(/^# Source-site gateway, Linux iproute2 \((apply|teardown) script, source end\)$/);
      const header = lines.slice(1, lines.indexOf("set -euo pipefail"));
      expect(header.every((line) => line === "" || line.startsWith("#"))).toBe(true);
      expect(header).toEqual(
        expect.arrayContaining([
          "# Tenant:      Contoso Manufacturing (contoso)",
          "# VLAN:        110   VNI: 10110   Subnet: 192.168.10.0/24",
          "# Source end:  contoso-gw1 198.51.100.10",
          "# AVS end:     contoso-bridge1 10.120.8.10 (segment bh-contoso)",
          "# MTU budget:  underlay MTU 1500 − 50 VXLAN over IPv4 − 73 IPsec ESP (tunnel mode, worst case) = inner MTU 1377; TCP MSS 1337 (inner MTU − 40)",
          "#   sudo bash bh-contoso-t1-apply.sh   (as root; safe to run again, e.g. after a reboot)",
          "#   sudo bash bh-contoso-t1-teardown.sh   (removes only what the apply script made; safe to run again)",
        ]),
      );
    }
  });

  it("builds VXLAN from this end's underlay address to the peer's, on the configured port, at the computed MTU", () => {
    const { apply } = generate(contoso);
    expect(apply).toContain('ip link add "$VXLAN" type vxlan id "$VNI" local "$LOCAL_IP" remote "$REMOTE_IP" dstport "$VXLAN_PORT" dev "$UNDERLAY"');
    expect(apply).toContain('LOCAL_IP="198.51.100.10"\nREMOTE_IP="10.120.8.10"\nVXLAN_PORT=4789\nINNER_MTU=1377');
    expect(apply).toContain('VXLAN="vx10110"\nBRIDGE="br110"\nUNDERLAY="eth0"');
    for (const device of ["VXLAN", "BRIDGE", "LAN_PORT"]) {
      expect(apply).toContain(`ip link set dev "$${device}" mtu "$INNER_MTU"`);
      expect(apply).toContain(`ip link set dev "$${device}" up`);
    }

    const custom = gatewayContext({ ...CONTOSO_INPUT, vxlanPort: 8472 });
    expect(generate(custom).apply).toContain("VXLAN_PORT=8472");
    // The AVS end is the mirror image: its own address is local.
    const avs = renderLinuxVxlanScripts(contoso, "avs", { title: "t", applyCommand: "a", teardownCommand: "b" }).apply;
    expect(avs).toContain('LOCAL_IP="10.120.8.10"\nREMOTE_IP="198.51.100.10"');
    expect(avs).toContain('MARK="bridgehead:contoso:t1:avs"');
  });

  it("tagged LAN: makes the 802.1Q sub-interface <lan>.<vlan> the bridge port, and teardown deletes it (never the trunk)", () => {
    const { apply, teardown } = generate(contoso);
    expect(apply).toContain('LAN="eth1"\nLAN_PORT="eth1.110"');
    expect(apply).toContain('  ip link add link "$LAN" name "$LAN_PORT" type vlan id 110');
    expect(apply).toContain('ip link set dev "$LAN_PORT" master "$BRIDGE"');
    expect(apply).not.toContain("STATE_FILE");
    expect(teardown).toContain('for dev in "$VXLAN" "$LAN_PORT" "$BRIDGE"; do');
    expect(teardown).not.toMatch(/ip link (del|set)[^\n]*"\$LAN"/);
  });

  it("untagged LAN: enslaves the NIC itself, records its MTU and state, and teardown puts them back", () => {
    const { apply, teardown } = generate(fabrikam);
    expect(apply).toContain('UNDERLAY="ens18"\nLAN="ens19"\nLAN_PORT="ens19"');
    expect(apply).not.toContain("type vlan");
    expect(apply).toContain('[ -z "$(ip -o addr show dev "$LAN" scope global)" ] || fail');
    expect(apply).toContain('echo "$(mtu_of "$LAN") $state" >"$STATE_FILE"');
    expect(teardown).toContain('for dev in "$VXLAN" "$BRIDGE"; do');
    expect(teardown).toContain('ip link set dev "$LAN" mtu "$mtu"');
  });

  it("loads the tunnel guard before the ports join the bridge; it clamps TCP MSS only when 1500-byte frames do not fit", () => {
    const clamped = generate(contoso).apply;
    expect(clamped).toContain("nft -f - <<EOF");
    expect(clamped).toContain('oifname "$VXLAN" ether type ip tcp flags & (syn | rst) == syn tcp option maxseg size > 1337 tcp option maxseg size set 1337');
    expect(clamped).toContain('iifname "$VXLAN" ether type ip6 tcp flags & (syn | rst) == syn tcp option maxseg size > 1317 tcp option maxseg size set 1317');
    expect(clamped.indexOf("nft -f - <<EOF")).toBeLessThan(clamped.indexOf('ip link set dev "$VXLAN" master "$BRIDGE"'));

    expect(fabrikam.mtu.fitsStandardFrames).toBe(true);
    const unclamped = generate(fabrikam).apply;
    expect(unclamped).not.toContain("maxseg");
    expect(unclamped).toContain('oifname "$VXLAN" jump into_tunnel');
    expect(unclamped).toContain('command -v nft >/dev/null || fail "nft is needed for the tunnel guard');
    expect(unclamped).toContain("INNER_MTU=8950");
    // Teardown drops the table whenever it exists, so nothing of an older configuration stays behind.
    expect(generate(fabrikam).teardown).toContain('nft delete table bridge "$NFT_TABLE"');
  });

  it("in a pair: the pair's files beside the scripts, the guard with its gate closed, the source end's tunnel port left to keepalived", () => {
    const { files, apply } = generate(LINUX_SOURCE.contosoPrimary);
    expect(files.map((file) => [file.path, file.mode])).toEqual([
      ["source/linux-iproute2/bh-contoso-t1-apply.sh", 0o755],
      ["source/linux-iproute2/bh-contoso-t1-teardown.sh", 0o755],
      ["source/linux-iproute2/bh-contoso-t1-pair.sh", 0o755],
      ["source/linux-iproute2/bh-contoso-t1-keepalived.conf", 0o644],
      ["source/linux-iproute2/keepalived.conf", 0o644],
    ]);
    expect(apply).toContain('  chain gate {\n    iifname "$VXLAN" drop\n    oifname "$VXLAN" drop\n  }');
    expect(apply).not.toContain('ip link set dev "$VXLAN" up');
    expect(apply).toContain('PAIR_HELPER="/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh"');
    expect(apply).toContain('  "$PAIR_HELPER" sync');
    expect(apply).toContain("#   systemctl restart keepalived   (it opens the tunnel port on the active gateway only)");
    // The edge bridge keeps its VXLAN device up (it listens for its source gateway on it): the gate alone closes it.
    const avs = renderLinuxVxlanScripts(LINUX_SOURCE.contosoPrimary, "avs", { title: "t", applyCommand: "a", teardownCommand: "b" });
    expect(avs.apply).toContain('ip link set dev "$VXLAN" up');
    expect(avs.apply).toContain("  chain gate {");
    expect(avs.pair?.helperPath).toBe("/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh");
    // A tenant with one tunnel has no gate to open and no helper to call.
    expect(generate(contoso).apply).not.toMatch(/chain gate|PAIR_HELPER/);
  });

  it("uses eth0 and eth1 when no interface is set, and the operator's names when they are", () => {
    expect(generate(contoso).apply).toContain('UNDERLAY="eth0"\nLAN="eth1"');
    expect(generate(variant(CONTOSO_INPUT, { source: { underlayInterface: "enp1s0", lanInterface: "bond0" } })).apply).toContain(
      'UNDERLAY="enp1s0"\nLAN="bond0"\nLAN_PORT="bond0.110"',
    );
  });

  it("refuses interface names Linux cannot have, naming the field", () => {
    const fifteen = "abcdefghijklmno";
    expect(generate(variant(FABRIKAM_INPUT, { source: { underlayInterface: fifteen } })).apply).toContain(`UNDERLAY="${fifteen}"`);

    const tooLong = inputError(() => generate(variant(FABRIKAM_INPUT, { source: { underlayInterface: `${fifteen}p` } })));
    expect(tooLong.field).toBe("tunnel.source.underlayInterface");
    expect(tooLong.message).toBe('"abcdefghijklmnop" is 16 characters; Linux interface names are at most 15. Give the underlay NIC by its Linux name (see `ip -br link`).');

    const slash = inputError(() => generate(variant(FABRIKAM_INPUT, { source: { lanInterface: "Gi0/1" } })));
    expect(slash.field).toBe("tunnel.source.lanInterface");
    expect(slash.message).toContain('contains "/"');

    // 12 characters fit, but the sub-interface "enp129s0f1np.110" would be 16.
    const subInterface = inputError(() => generate(variant(CONTOSO_INPUT, { source: { lanInterface: "enp129s0f1np" } })));
    expect(subInterface.field).toBe("tunnel.source.lanInterface");
    expect(subInterface.message).toContain('"enp129s0f1np.110" would be 16 characters');
  });

  it("refuses an untagged LAN on the underlay NIC, which would cut the gateway off", () => {
    const error = inputError(() => generate(variant(FABRIKAM_INPUT, { source: { underlayInterface: "ens18", lanInterface: "ens18" } })));
    expect(error.field).toBe("tunnel.source.lanInterface");
  });

  it("says plainly that it does not build L2TPv3", () => {
    const error = inputError(() => generate(variant(CONTOSO_INPUT, { tenant: { encapsulation: "l2tpv3" } })));
    expect(error.field).toBe("tenant.encapsulation");
    expect(error.message).toContain("VXLAN tunnels only");
  });

  it("carries an IPv6 underlay: canonical addresses, 70 bytes of VXLAN overhead in the MTU", () => {
    const { apply } = generate(ipv6);
    expect(apply).toContain('LOCAL_IP="2001:db8:10::10"\nREMOTE_IP="2001:db8:20::10"');
    expect(apply).toContain("INNER_MTU=1337\nENCAP_BYTES=70");
    expect(apply).toContain("− 70 VXLAN over IPv6");
  });

  it("is a pure function: the same tunnel gives the same bytes", () => {
    expect(generate(gatewayContext(CONTOSO_INPUT)).files).toEqual(generate(gatewayContext(CONTOSO_INPUT)).files);
  });
});

describe("generated scripts under bash and shellcheck", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bh-iproute2-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const variants = { contoso, fabrikam, ipv6, hostileName, avsEnd: contoso, primary: LINUX_SOURCE.contosoPrimary, standbyAvs: LINUX_SOURCE.contosoStandby };
  const scripts = Object.entries(variants).flatMap(([name, context]) => {
    const rendered = renderLinuxVxlanScripts(context, name.toLowerCase().includes("avs") ? "avs" : "source", { title: "t", applyCommand: "a", teardownCommand: "b" });
    return [...(["apply", "teardown"] as const).map((kind) => [kind, rendered[kind]] as const), ...(rendered.pair ? [["pair", rendered.pair.helper] as const] : [])].map(([kind, text]) => {
      const file = path.join(dir, `${name}-${kind}.sh`);
      writeFileSync(file, text);
      return file;
    });
  });

  itWithTool("bash", "bash -n accepts every script (tagged, untagged, IPv6, AVS end, a display name full of punctuation, both ends' pair helpers)", () => {
    expect(scripts.filter((file) => file.endsWith("-pair.sh"))).toHaveLength(2);
    for (const file of scripts) {
      const result = runTool("bash", ["-n", file]);
      expect(result.output, path.basename(file)).toBe("");
      expect(result.status, path.basename(file)).toBe(0);
    }
  });

  itWithTool("shellcheck", "shellcheck finds nothing in any script", () => {
    const result = runTool("shellcheck", ["--shell=bash", "--severity=style", ...scripts]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
