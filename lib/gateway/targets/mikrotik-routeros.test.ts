import { describe, expect, it } from "vitest";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import type { GatewayContext } from "../types";
import { mikrotikRouterosTarget } from "./mikrotik-routeros";
import { commandLines, variant } from "@/tests/support/gateway-variants";

function render(context: GatewayContext) {
  const [apply, undo] = mikrotikRouterosTarget.generate(context);
  if (!apply || !undo) throw new Error("expected an apply and an undo file");
  return { apply: apply.contents, undo: undo.contents };
}

/** `add` lines of an .rsc script with the menu they were entered under. */
function adds(contents: string): Array<{ menu: string; line: string }> {
  let menu = "";
  const result: Array<{ menu: string; line: string }> = [];
  for (const line of commandLines(contents, "#")) {
    if (/^\/[a-z -]+$/.test(line)) menu = line;
    else if (line.startsWith("add ")) result.push({ menu, line });
  }
  return result;
}

describe("mikrotikRouterosTarget", () => {
  it("writes both scripts under source/mikrotik-routeros", () => {
    expect(mikrotikRouterosTarget.generate(variant(CONTOSO_INPUT)).map((file) => [file.path, file.mode])).toEqual([
      ["source/mikrotik-routeros/bh-contoso-t1.rsc", 0o600],
      ["source/mikrotik-routeros/bh-contoso-t1-undo.rsc", 0o644],
    ]);
  });

  it("adds the VXLAN with its port (not RouterOS's 8472 default), source address and inner MTU, and the AVS end as its VTEP", () => {
    const lines = adds(render(variant(CONTOSO_INPUT)).apply);
    expect(lines).toContainEqual({
      menu: "/interface vxlan",
      line: 'add name="vxlan10110" vni=10110 port=4789 local-address=198.51.100.10 mtu=1377 comment="bridgehead:contoso:t1"',
    });
    expect(lines).toContainEqual({ menu: "/interface vxlan vteps", line: 'add interface="vxlan10110" remote-ip=10.120.8.10 port=4789 comment="bridgehead:contoso:t1"' });
  });

  it("bridges a tagged LAN through a VLAN interface and an untagged one directly", () => {
    const tagged = adds(render(variant(CONTOSO_INPUT)).apply);
    expect(tagged).toContainEqual({ menu: "/interface vlan", line: 'add name="vlan110" vlan-id=110 interface="ether2" comment="bridgehead:contoso:t1"' });
    expect(tagged).toContainEqual({ menu: "/interface bridge port", line: 'add bridge="br110" interface="vlan110" comment="bridgehead:contoso:t1"' });

    const untagged = render(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanTagged = false)));
    expect(untagged.apply).not.toContain("/interface vlan");
    expect(untagged.undo).not.toContain("/interface vlan");
    expect(adds(untagged.apply)).toContainEqual({ menu: "/interface bridge port", line: 'add bridge="br110" interface="ether2" comment="bridgehead:contoso:t1"' });
  });

  it("clamps TCP MSS in both directions only when 1500-byte inner packets do not fit", () => {
    const short = render(variant(CONTOSO_INPUT, (input) => void (input.tenant.underlayMtu = 1622)));
    const mangle = adds(short.apply).filter((a) => a.menu === "/ip firewall mangle");
    expect(mangle.map((a) => a.line.match(/(in|out)-interface="br110"/)?.[1])).toEqual(["in", "out"]);
    for (const rule of mangle) expect(rule.line).toContain("tcp-mss=1460-65535 action=change-mss new-mss=1459");
    expect(short.apply).toContain("set use-ip-firewall=yes");

    const enough = render(variant(CONTOSO_INPUT, (input) => void (input.tenant.underlayMtu = 1623)));
    expect(enough.apply).not.toContain("change-mss");
    expect(enough.apply).not.toContain("use-ip-firewall");
    expect(enough.undo).not.toContain("/ip firewall mangle");
  });

  it("raises the underlay NIC's MTU for a jumbo underlay, and only then", () => {
    expect(commandLines(render(variant(FABRIKAM_INPUT)).apply, "#")).toContain('/interface set [find name="ens18"] mtu=9000');
    expect(render(variant(CONTOSO_INPUT)).apply).not.toContain("/interface set");
  });

  it("keeps the operator's own interface names verbatim, inside quotes", () => {
    const { apply } = render(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "sfp-sfpplus1.lan/2")));
    expect(apply).toContain('interface="sfp-sfpplus1.lan/2"');
  });

  it("tags every object it adds, and the undo removes each menu's tagged objects, newest first, then the IPsec by its name", () => {
    for (const context of [variant(CONTOSO_INPUT), variant(FABRIKAM_INPUT)]) {
      const { apply, undo } = render(context);
      const tag = `comment="bridgehead:${context.tenant.slug}:t${context.tunnel.ordinal}"`;
      const added = adds(apply);
      const ipsec = added.filter((a) => a.menu.startsWith("/ip ipsec"));
      const tagged = added.filter((a) => !a.menu.startsWith("/ip ipsec"));
      for (const { line } of tagged) expect(line.endsWith(` ${tag}`)).toBe(true);
      const menus = [...new Set(tagged.map((a) => a.menu))];
      const removes = commandLines(undo, "#");
      const name = `"bh-${context.tenant.slug}-t${context.tunnel.ordinal}"`;
      // Profiles and proposals take no comment: the IPsec goes by the connection's name, newest first.
      const ipsecRemoves = context.tenant.transport === "ipsec-vpn"
        ? [`/ip ipsec policy remove [find peer=${name}]`, `/ip ipsec identity remove [find peer=${name}]`, `/ip ipsec peer remove [find name=${name}]`, `/ip ipsec proposal remove [find name=${name}]`, `/ip ipsec profile remove [find name=${name}]`]
        : [];
      expect([...new Set(ipsec.map((a) => a.menu))]).toEqual(context.tenant.transport === "ipsec-vpn" ? ["/ip ipsec profile", "/ip ipsec proposal", "/ip ipsec peer", "/ip ipsec identity", "/ip ipsec policy"] : []);
      for (const { line } of ipsec) expect(line.includes(`name=${name}`) || line.includes(`peer=${name}`)).toBe(true);
      expect(removes).toEqual([...menus.reverse().map((menu) => `${menu} remove [find ${tag}]`), ...ipsecRemoves]);
    }
  });

  it("applies to VXLAN tenants only", () => {
    expect(mikrotikRouterosTarget.appliesTo(variant(FABRIKAM_INPUT))).toBe(true);
    expect(mikrotikRouterosTarget.appliesTo(variant(FABRIKAM_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3")))).toBe(false);
  });
});
