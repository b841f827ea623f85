import { describe, expect, it } from "vitest";
import type { GatewayContextInput } from "../context";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { GeneratorInputError, type GatewayContext } from "../types";
import { planIpsec } from "../ipsec";
import { ciscoIosxeTarget } from "./cisco-iosxe";
import { IOSXE_DPD_RETRY_INTERVAL_SECONDS, iosxeIpsecConfig } from "./ipsec-vendors";
import { commandLines, variant } from "@/tests/support/gateway-variants";

function render(context: GatewayContext) {
  const [apply, undo] = ciscoIosxeTarget.generate(context);
  if (!apply || !undo) throw new Error("expected an apply and an undo file");
  return { apply: apply.contents, undo: undo.contents };
}

function rejection(context: GatewayContext): GeneratorInputError {
  try {
    ciscoIosxeTarget.generate(context);
  } catch (error) {
    if (error instanceof GeneratorInputError) return error;
    throw error;
  }
  throw new Error("expected a GeneratorInputError");
}

/** An IOS config as [parent mode, command] pairs: a line's parent is the nearest less-indented line before it. */
function iosCommands(contents: string): Array<{ parents: string[]; line: string }> {
  const stack: Array<{ indent: number; line: string }> = [];
  return commandLines(contents, "!").map((raw) => {
    const indent = raw.length - raw.trimStart().length;
    while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
    const entry = { parents: stack.map((s) => s.line), line: raw.trim() };
    stack.push({ indent, line: raw.trim() });
    return entry;
  });
}

/** Fabrikam's two NICs under IOS XE names (the fixture's ens18/ens19 are Linux names). */
const ciscoNames = (input: GatewayContextInput) => {
  input.tunnel.source.underlayInterface = "GigabitEthernet3";
  input.tunnel.source.lanInterface = "GigabitEthernet4";
};

describe("ciscoIosxeTarget", () => {
  it("writes both files under source/cisco-iosxe, and says which platform and release in the header", () => {
    const files = ciscoIosxeTarget.generate(variant(CONTOSO_INPUT));
    expect(files.map((file) => [file.path, file.mode])).toEqual([
      ["source/cisco-iosxe/bh-contoso-t1.ios", 0o600],
      ["source/cisco-iosxe/bh-contoso-t1-undo.ios", 0o644],
    ]);
    for (const file of files) expect(file.contents.split("\n")[0]).toMatch(/^! .*IOS XE 17\.3\+ on CSR 1000v \/ Catalyst 8000V/);
  });

  it("replicates the VNI to the AVS end from the underlay NIC, on the configured port", () => {
    const commands = iosCommands(render(variant(CONTOSO_INPUT, (input) => void (input.vxlanPort = 4790))).apply);
    const nve = commands.filter((c) => c.parents[0] === "interface nve1").map((c) => c.line);
    expect(nve).toEqual(["no shutdown", "source-interface GigabitEthernet1", "vxlan udp port 4790", "member vni 10110", "ingress-replication 10.120.8.10"]);
    const bd = commands.filter((c) => c.parents[0] === "bridge-domain 110").map((c) => c.line);
    expect(bd).toEqual(["member vni 10110", "member GigabitEthernet2 service-instance 110"]);
  });

  it("matches the tag and pops it for a tagged LAN, and takes untagged frames otherwise", () => {
    const instance = (context: GatewayContext) =>
      iosCommands(render(context).apply)
        .filter((c) => c.parents[1] === "service instance 110 ethernet")
        .map((c) => c.line);
    expect(instance(variant(CONTOSO_INPUT))).toEqual(["encapsulation dot1q 110", "rewrite ingress tag pop 1 symmetric"]);
    expect(instance(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanTagged = false)))).toEqual(["encapsulation untagged"]);
  });

  it("clamps TCP MSS only when 1500-byte inner packets do not fit", () => {
    const short = render(variant(CONTOSO_INPUT, (input) => void (input.tenant.underlayMtu = 1622)));
    expect(iosCommands(short.apply)).toContainEqual({ parents: ["interface BDI110"], line: "ip tcp adjust-mss 1459" });
    const enough = render(variant(CONTOSO_INPUT, (input) => void (input.tenant.underlayMtu = 1623)));
    expect(enough.apply).not.toContain("adjust-mss");
    expect(enough.apply).not.toContain("BDI110");
    expect(enough.undo).not.toContain("BDI110");
  });

  it("raises the underlay NIC's MTU for a jumbo underlay, and only then", () => {
    const jumbo = iosCommands(render(variant(FABRIKAM_INPUT, ciscoNames)).apply);
    expect(jumbo).toContainEqual({ parents: ["interface GigabitEthernet3"], line: "mtu 9000" });
    expect(iosCommands(render(variant(CONTOSO_INPUT)).apply).filter((c) => c.line.startsWith("mtu "))).toEqual([]);
  });

  it("refuses the Linux NIC names of the Fabrikam fixture, naming the field", () => {
    const error = rejection(variant(FABRIKAM_INPUT));
    expect(error.field).toBe("tunnel.source.underlayInterface");
    expect(error.message).toContain('"ens18"');
  });

  it.each([
    ["GigabitEthernet2.110", "a sub-interface: service instances live on the main interface"],
    ["Gi2", "an abbreviation"],
    ["eth1", "a Linux name"],
    ["Loopback0", "not a NIC"],
  ])("refuses the LAN interface %s (%s)", (name) => {
    const error = rejection(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = name)));
    expect(error.field).toBe("tunnel.source.lanInterface");
  });

  it("takes full names of slotted interfaces and port-channels", () => {
    const { apply } = render(
      variant(CONTOSO_INPUT, (input) => {
        input.tunnel.source.underlayInterface = "TenGigabitEthernet0/0/1";
        input.tunnel.source.lanInterface = "Port-channel12";
      }),
    );
    expect(apply).toContain(" source-interface TenGigabitEthernet0/0/1\n");
    expect(apply).toContain(" member Port-channel12 service-instance 110\n");
  });

  it("refuses an IPv6 underlay rather than guess at syntax it was not checked against", () => {
    const error = rejection(
      variant(CONTOSO_INPUT, (input) => {
        input.tunnel.source.underlayIp = "2001:db8::10";
        input.tunnel.avs.underlayIp = "2001:db8:1::10";
      }),
    );
    expect(error.field).toBe("tunnel.source.underlayIp");
  });

  it("undoes every object the apply file creates, and touches nothing it did not", () => {
    for (const context of [variant(CONTOSO_INPUT), variant(FABRIKAM_INPUT, ciscoNames)]) {
      const apply = iosCommands(render(context).apply);
      const undo = iosCommands(render(context).undo).filter((c) => c.line !== "end");
      const lan = context.tunnel.source.lanInterface ?? "GigabitEthernet2";
      // Created: top-level blocks that are not existing interfaces, and sub-modes opened inside
      // nve1 and the LAN interface (the VNI member, the service instance).
      const existing = new Set(["interface nve1", `interface ${lan}`, `interface ${context.tunnel.source.underlayInterface ?? "GigabitEthernet1"}`]);
      const created = [
        ...apply.filter((c) => c.parents.length === 0 && !existing.has(c.line) && c.line !== "end").map((c) => ({ parents: [], line: `no ${c.line}` })),
        ...apply
          .filter((c, i) => c.parents.length === 1 && existing.has(c.parents[0] ?? "") && apply[i + 1]?.parents.at(-1) === c.line)
          .map((c) => ({ parents: c.parents, line: `no ${c.line}` })),
      ];
      const removals = undo.filter((c) => c.line.startsWith("no "));
      expect(removals).toEqual(expect.arrayContaining(created));
      expect(removals).toHaveLength(created.length);
      // Besides the removals, the undo only enters the modes it removes from.
      expect(undo.filter((c) => !c.line.startsWith("no ")).every((c) => c.parents.length === 0 && existing.has(c.line))).toBe(true);
    }
  });

  it.each([1, 110, 999, 1000, 1001, 4094])("in a pair on VLAN %i: numbers its track object within IOS XE's 1–1000, and tracks and undoes that same object", (vlanId) => {
    const { apply, undo } = render(variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tenant.vlanId = vlanId)));
    const commands = iosCommands(apply);
    const defined = commands.filter((c) => c.parents.length === 0 && /^track \d+ /.test(c.line)).map((c) => c.line);
    expect(defined).toHaveLength(1);
    const [, number, sla] = /^track (\d+) ip sla (\d+) reachability$/.exec(defined[0]!) ?? [];
    // `track <1-1000>`: IOS XE refuses any other number, and the VRRP group would then track nothing.
    expect(Number(number)).toBeGreaterThanOrEqual(1);
    expect(Number(number)).toBeLessThanOrEqual(1000);
    expect(commands).toContainEqual({ parents: [`ip sla ${sla}`], line: `icmp-echo 10.120.8.10 source-interface GigabitEthernet1` });
    expect(commands.filter((c) => c.parents.at(-1) === "vrrp 250 address-family ipv4" && c.line.startsWith("track "))).toEqual([
      { parents: [`interface BDI${vlanId}`, "vrrp 250 address-family ipv4"], line: `track ${number} decrement 199` },
    ]);
    expect(iosCommands(undo).filter((c) => c.line.startsWith("no track") || c.line.startsWith("no ip sla"))).toEqual([
      { parents: [], line: `no track ${number}` },
      { parents: [], line: `no ip sla ${sla}` },
    ]);
  });

  it("in a pair: takes the VNI out on every way into backup, boot included, and adds it only on becoming master", () => {
    const commands = iosCommands(render(variant(CONTOSO_PAIR_INPUTS[1])).apply);
    const applet = (name: string) => {
      const lines = commands.filter((c) => c.parents[0] === `event manager applet ${name}`).map((c) => c.line);
      const pattern = /^event syslog pattern "(.*)"$/.exec(lines[0] ?? "")?.[1];
      if (!pattern) throw new Error(`no syslog pattern in ${name}: ${lines.join(" | ")}`);
      return { fires: (message: string) => new RegExp(pattern).test(message), vni: lines.find((line) => line.includes("member vni")) };
    };
    const active = applet("bh-contoso-t2-active");
    const standby = applet("bh-contoso-t2-standby");
    expect(active.vni).toBe('action 4.0 cli command "member vni 10110"');
    expect(standby.vni).toBe('action 4.0 cli command "no member vni 10110"');
    const log = (transition: string) => `%VRRP-6-STATE: BDI110 IPv4 group 250 state ${transition}`;
    // After a reload with the VNI saved in startup-config, INIT -> BACKUP is the only transition there is.
    for (const transition of ["INIT -> BACKUP", "MASTER -> BACKUP", "MASTER -> INIT", "BACKUP -> INIT"]) {
      expect([transition, standby.fires(log(transition)), active.fires(log(transition))]).toEqual([transition, true, false]);
    }
    for (const transition of ["BACKUP -> MASTER", "INIT -> MASTER"]) {
      expect([transition, standby.fires(log(transition)), active.fires(log(transition))]).toEqual([transition, false, true]);
    }
    // Another tenant's group on another BDI is not ours.
    expect(standby.fires("%VRRP-6-STATE: BDI120 IPv4 group 250 state INIT -> BACKUP")).toBe(false);
  });

  it("applies to VXLAN tenants only", () => {
    expect(ciscoIosxeTarget.appliesTo(variant(CONTOSO_INPUT))).toBe(true);
    expect(ciscoIosxeTarget.appliesTo(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3")))).toBe(false);
  });
});

describe("IOS XE dead-peer detection", () => {
  // `dpd <interval> <retry-interval> <on-demand|periodic>`: the second figure is seconds between
  // retries (2–60), not a count of them. The plan's retry count must not land there.
  it("writes a retry interval in seconds that IOS XE accepts, whatever the plan's retry count", () => {
    const plan = planIpsec(variant(CONTOSO_INPUT), "source");
    for (const dpdRetries of [1, 5, 100]) {
      const lines = iosxeIpsecConfig({ ...plan, timers: { ...plan.timers, dpdRetries } as typeof plan.timers }, "GigabitEthernet1", 1101);
      const dpd = lines.map((line) => /^ dpd (\d+) (\d+) (periodic|on-demand)$/.exec(line)).find((m) => m);
      expect(dpd, `dpdRetries ${dpdRetries}`).toBeTruthy();
      expect(Number(dpd![1])).toBe(plan.timers.dpdDelaySeconds);
      expect(Number(dpd![2])).toBe(IOSXE_DPD_RETRY_INTERVAL_SECONDS);
      expect(IOSXE_DPD_RETRY_INTERVAL_SECONDS).toBeGreaterThanOrEqual(2);
      expect(IOSXE_DPD_RETRY_INTERVAL_SECONDS).toBeLessThanOrEqual(60);
    }
  });
});
