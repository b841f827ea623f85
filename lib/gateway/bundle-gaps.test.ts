/**
 * A bundle never leaves out a file the tenant needs: the edge bridge, the IPsec, the agents and
 * (when named) the source platform's files must all render, or assembly stops and says which
 * value to fix. The same generators decide the tunnel form's check (tunnel-fit.ts).
 */
import { describe, expect, it } from "vitest";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { variant } from "@/tests/support/gateway-variants";
import { BundleIncompleteError, findBundleGaps, renderBundle, renderTargets } from "./bundle";
import type { GatewayContext } from "./types";
import { findTunnelFitProblems, type TunnelFitInput } from "./tunnel-fit";

function incomplete(context: GatewayContext): BundleIncompleteError {
  try {
    renderBundle(context);
  } catch (error) {
    if (error instanceof BundleIncompleteError) return error;
    throw error;
  }
  throw new Error("the bundle was assembled");
}

describe("bundle assembly", () => {
  it("refuses a bundle whose edge bridge cannot be rendered, naming the field, instead of a README line", () => {
    const context = variant(CONTOSO_INPUT, (input) => void (input.tunnel.avs.lanInterface = "ens224abcdefghij"));
    const error = incomplete(context);
    expect(error.gaps.map((gap) => gap.field)).toContain("tunnel.avs.lanInterface");
    expect(error.message).toMatch(/Linux interface names are at most 15/);
  });

  it("requires the named source platform's files", () => {
    const context = variant(CONTOSO_INPUT, (input) => {
      input.tunnel.sourcePlatform = "vyos";
      input.tunnel.source.underlayInterface = "GigabitEthernet1";
    });
    expect(incomplete(context).gaps).toEqual([{ field: "tunnel.source.underlayInterface", message: expect.stringMatching(/^VyOS: VyOS cannot use "GigabitEthernet1"/) }]);
  });

  it("refuses a named platform that writes nothing for the tenant's encapsulation", () => {
    const context = variant(CONTOSO_INPUT, (input) => {
      input.tenant.encapsulation = "l2tpv3";
      input.tunnel.sourcePlatform = "mikrotik-routeros";
    });
    expect(findBundleGaps(context, renderTargets(context))).toContainEqual({ field: "tunnel.sourcePlatform", message: expect.stringMatching(/MikroTik RouterOS v7 files are not written for this tenant \(L2TPV3\)/) });
  });

  it("with no platform named, assembles what renders and says in the README which platforms could not", () => {
    const context = variant(CONTOSO_INPUT, (input) => {
      input.tunnel.source.underlayInterface = "GigabitEthernet0/0/0";
      input.tunnel.source.lanInterface = "GigabitEthernet0/0/1";
    });
    const bundle = renderBundle(context);
    expect(bundle.files).toContain("source/cisco-iosxe/bh-contoso-t1.ios");
    expect(bundle.files).toContain("avs/strongswan/bh-contoso-t1.conf");
    expect(bundle.files.some((f) => f.startsWith("source/vyos/"))).toBe(false);
  });

  it("is complete for the fixtures as they are", () => {
    for (const input of [CONTOSO_INPUT, FABRIKAM_INPUT]) {
      const context = variant(input);
      expect(findBundleGaps(context, renderTargets(context))).toEqual([]);
    }
  });
});

describe("findTunnelFitProblems", () => {
  const { underlayMtu, ...rest } = CONTOSO_INPUT.tenant;
  const base: TunnelFitInput = {
    tenant: { ...rest, underlayMtu },
    tunnel: {
      ordinal: 1,
      name: "primary",
      sourcePlatform: null,
      ipsecSuite: "aes256gcm-ecp384",
      source: { hostname: "gw1", underlayIp: "198.51.100.10", underlayInterface: null, lanInterface: null, lanTagged: true },
      avs: { hostname: "bridge1", underlayIp: "10.120.8.10", underlayInterface: null, lanInterface: null, lanTagged: false },
    },
    partner: null,
  };
  const withTunnel = (change: (t: TunnelFitInput["tunnel"]) => void) => {
    const copy = structuredClone(base);
    change(copy.tunnel);
    return copy;
  };

  it("finds nothing wrong with values every file takes", () => {
    expect(findTunnelFitProblems(base)).toEqual({});
  });

  it("keys each problem as the tunnel form names its field, with the platform's reason", () => {
    expect(findTunnelFitProblems(withTunnel((t) => void (t.avs.underlayInterface = "eth0/1")))).toEqual({
      "avs.underlayInterface": [expect.stringMatching(/contains "\/"/)],
    });
    const ios = findTunnelFitProblems(withTunnel((t) => {
      t.sourcePlatform = "cisco-iosxe";
      t.source.lanInterface = "ens19";
    }));
    expect(ios).toEqual({ "source.lanInterface": [expect.stringMatching(/^Cisco IOS XE .*: IOS XE has no interface "ens19"/)] });
  });

  it("puts a clash with the tenant's other tunnel on this tunnel's own field", () => {
    const partner = { ordinal: 2 as const, name: "standby", sourceHostname: "gw2", sourceUnderlayIp: "198.51.100.10", avsHostname: "bridge2", avsUnderlayIp: "10.120.8.12" };
    expect(findTunnelFitProblems({ ...base, partner })).toEqual({ "source.underlayIp": [expect.stringMatching(/two source gateways/)] });
  });

  it("checks a VLAN sub-interface against the tenant's own VLAN: 4-digit VLANs leave less room", () => {
    const lan = withTunnel((t) => {
      t.sourcePlatform = "systemd-networkd";
      t.source.lanInterface = "enp129s0f1n";
    });
    expect(findTunnelFitProblems(lan)).toEqual({});
    expect(findTunnelFitProblems({ ...lan, tenant: { ...lan.tenant, vlanId: 1100, vni: 11100 } })).toHaveProperty(["source.lanInterface"]);
  });
});
