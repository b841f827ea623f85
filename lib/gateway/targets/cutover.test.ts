import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { itWithTool, runTool } from "@/tests/support/gateway-tools";
import { renderBundleReadme, renderTargets } from "../bundle";
import { parseGatewayContext } from "../context";
import { CONTOSO_CUTOVER_INPUT, CONTOSO_INPUT, CONTOSO_PAIR_INPUTS } from "@/tests/support/gateway-inputs";
import { cutoverLinuxTarget } from "./cutover-linux";
import { cutoverIosxeTarget, cutoverRouterosTarget, cutoverVyosTarget, vyosInterfacePath } from "./cutover-vendors";
import { inputError, variant } from "@/tests/support/gateway-variants";
import { unextendTarget } from "./unextend";

const planned = variant(CONTOSO_CUTOVER_INPUT);
const cutOver = variant(CONTOSO_CUTOVER_INPUT, (input) => void (input.stretch!.stage = "cut-over"));
const cutOverPair = (index: 0 | 1) =>
  variant({ ...CONTOSO_PAIR_INPUTS[index], stretch: { ...CONTOSO_CUTOVER_INPUT.stretch!, stage: "cut-over" } });

describe("the cut-over files", () => {
  it("are offered from the plan until the stretch ends, and not before a plan", () => {
    const ids = (context: typeof planned) => renderTargets(context).map((r) => r.target.id);
    expect(ids(variant(CONTOSO_INPUT))).not.toContain("cutover-linux");
    expect(ids(planned)).toEqual(expect.arrayContaining(["cutover-linux", "cutover-vyos", "cutover-cisco-iosxe", "cutover-mikrotik-routeros"]));
    expect(ids(planned)).not.toContain("unextend");
    expect(ids(cutOver)).toEqual(expect.arrayContaining(["cutover-linux", "unextend"]));
    const unextended = variant(CONTOSO_CUTOVER_INPUT, (input) => void (input.stretch!.stage = "unextended"));
    expect(ids(unextended)).not.toContain("cutover-linux");
    expect(ids(unextended)).toContain("unextend");
  });

  it("release exactly the planned address and keep where it was for the restore", () => {
    const [cutover, restore] = cutoverLinuxTarget.generate(planned);
    expect(cutover!.path).toBe("cutover/linux/bh-contoso-gateway-cutover.sh");
    expect(cutover!.contents).toContain('GATEWAY="192.168.10.1/24"');
    expect(cutover!.contents).toContain('PLANNED_IFACE="eth1.110"');
    expect(cutover!.contents).toContain('ip address del "$addr" dev "$dev"');
    expect(restore!.contents).toContain('read -r dev addr <"$STATE_FILE"');
    expect(restore!.contents).toContain('arping -q -U -c 2 -I "$dev" "$HOST"');
  });

  it("VyOS names the interface's configuration path, and needs the interface", () => {
    expect(vyosInterfacePath("eth1")).toBe("ethernet eth1");
    expect(vyosInterfacePath("eth1.110")).toBe("ethernet eth1 vif 110");
    expect(vyosInterfacePath("bond0.110")).toBe("bonding bond0 vif 110");
    expect(vyosInterfacePath("br110")).toBe("bridge br110");
    expect(inputError(() => vyosInterfacePath("GigabitEthernet1"))).toMatchObject({ field: "stretch.sourceInterface" });
    const unnamed = variant(CONTOSO_CUTOVER_INPUT, (input) => void (input.stretch!.sourceInterface = null));
    expect(inputError(() => cutoverVyosTarget.generate(unnamed)).message).toMatch(/VyOS needs the interface/);
    // The bundle says "not generated" with that reason instead of failing.
    expect(renderTargets(unnamed).find((r) => r.target.id === "cutover-vyos")).toMatchObject({ error: expect.anything() });
  });

  it("IOS XE defaults to the VLAN's SVI and writes the mask; IPv6 gateways use ipv6 address", () => {
    const unnamed = variant(CONTOSO_CUTOVER_INPUT, (input) => void (input.stretch!.sourceInterface = null));
    const [cutover, restore] = cutoverIosxeTarget.generate(unnamed);
    expect(cutover!.contents).toContain("interface Vlan110\n no ip address 192.168.10.1 255.255.255.0\nend");
    expect(restore!.contents).toContain("interface Vlan110\n ip address 192.168.10.1 255.255.255.0\nend");
    const v6 = variant(CONTOSO_CUTOVER_INPUT, (input) => {
      input.tenant.subnet = "2001:db8:10::/64";
      input.stretch!.gatewayAddress = "2001:db8:10::1/64";
      input.stretch!.sourceInterface = "Vlan110";
    });
    expect(cutoverIosxeTarget.generate(v6)[0]!.contents).toContain(" no ipv6 address 2001:db8:10::1/64");
    expect(inputError(() => cutoverIosxeTarget.generate(planned)).message).toMatch(/IOS XE cannot use "eth1\.110"/);
  });

  it("RouterOS disables the entry (so the restore enables the same one) and stops when it is not there", () => {
    const [cutover, restore] = cutoverRouterosTarget.generate(planned);
    expect(cutover!.contents).toContain('/ip address disable [find where address="192.168.10.1/24" and interface="eth1.110"]');
    expect(cutover!.contents).toMatch(/:if \(\[:len \[\/ip address find where .*\]\] = 0\) do=\{ :error /);
    expect(restore!.contents).toContain('/ip address enable [find where address="192.168.10.1/24" and interface="eth1.110"]');
  });

  it("refuses a plan whose gateway is not one of the subnet's hosts, or an interface name that could break out", () => {
    const bad = (change: (input: typeof CONTOSO_CUTOVER_INPUT) => void) => {
      const copy = structuredClone(CONTOSO_CUTOVER_INPUT);
      change(copy);
      return parseGatewayContext(copy);
    };
    expect(bad((i) => void (i.stretch!.gatewayAddress = "192.168.11.1/24"))).toMatchObject({ ok: false, errors: { "stretch.gatewayAddress": [expect.stringContaining("outside")] } });
    expect(bad((i) => void (i.stretch!.gatewayAddress = "192.168.10.1/16"))).toMatchObject({ ok: false, errors: { "stretch.gatewayAddress": ["Write it as 192.168.10.1/24."] } });
    for (const hostile of ['eth1"; reboot', "eth1\nip link del eth0", "$(reboot)", "eth1 vif 1"]) {
      expect(bad((i) => void (i.stretch!.sourceInterface = hostile)), hostile).toMatchObject({ ok: false });
    }
    expect(bad((i) => void (i.stretch!.tier1Id = "T1;rm"))).toMatchObject({ ok: false });
  });

  it("the bundle README gives the cut-over order: source first, then the console; rollback the reverse", () => {
    const readme = renderBundleReadme(planned, renderTargets(planned));
    expect(readme).toContain("## Cut-over");
    expect(readme).toMatch(/1\. On the router that holds 192\.168\.10\.1 today, run the cut-over file/);
    expect(readme).toContain("Rollback is the reverse: roll back in Bridgehead first");
    // Not part of the apply order.
    expect(readme.split("## Cut-over")[0]).not.toContain("cutover/");
  });
});

describe("the unextend files", () => {
  it("tear down the source gateway first, then the edge bridge, and say so", () => {
    const files = unextendTarget.generate(cutOver);
    expect(files.map((f) => f.path)).toEqual(["unextend/bh-contoso-t1-UNEXTEND.md", "unextend/bh-contoso-t1-source-unextend.sh", "unextend/bh-contoso-t1-edge-unextend.sh"]);
    const guide = files[0]!.contents;
    expect(guide.indexOf("1. The source gateway contoso-gw1, first")).toBeLessThan(guide.indexOf("2. Then the AVS edge bridge contoso-bridge1"));
    expect(files[1]!.contents).toContain("bash -s <<'BRIDGEHEAD_TEARDOWN_END'");
    expect(files[2]!.contents).toContain("systemctl disable --now bh-contoso-t1-edge-bridge.service");
  });

  it("in a pair, leave keepalived first (the pair's files too) and take the standby tunnel down before the active one", () => {
    const primary = unextendTarget.generate(cutOverPair(0));
    const source = primary[1]!.contents;
    expect(source.indexOf('rm -f "/etc/keepalived/conf.d/bh-contoso-t1.conf"')).toBeGreaterThan(0);
    expect(source.indexOf("/etc/keepalived/conf.d/bh-contoso-t1.conf")).toBeLessThan(source.indexOf("bash -s <<"));
    expect(source).toContain('rm -f "/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh" "/run/bridgehead/bh-contoso-t1-source.role" "/run/bridgehead/bh-contoso-t1-source.force"');
    expect(primary[2]!.contents).toContain("/etc/keepalived/conf.d/bh-contoso-t1.conf");
    expect(primary[0]!.contents).toContain("Tear down the standby first, then the active one");
    expect(primary[0]!.contents).toContain("tunnel standby (#2) first, then primary (#1)");
    expect(unextendTarget.generate(cutOverPair(1))[0]!.contents).toContain("tunnel standby (#2) first, then primary (#1)");
  });

  it("carry no secret: no agent token, no pre-shared key", () => {
    for (const context of [cutOver, cutOverPair(0), cutOverPair(1)]) {
      for (const file of [...unextendTarget.generate(context), ...cutoverLinuxTarget.generate(context)]) {
        expect(file.contents).not.toMatch(/agt_[A-Za-z0-9_-]{43}/);
        expect(file.contents).not.toContain(context.tunnel.psk!);
      }
    }
  });
});

describe("cut-over and unextend scripts under bash and shellcheck", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bh-cutover-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const v6 = variant(CONTOSO_CUTOVER_INPUT, (input) => {
    input.tenant.subnet = "2001:db8:10::/64";
    input.stretch!.gatewayAddress = "2001:db8:10::1/64";
    input.stretch!.sourceInterface = null;
  });
  const scripts = [planned, v6, cutOver, cutOverPair(0), cutOverPair(1)].flatMap((context, index) =>
    [...cutoverLinuxTarget.generate(context), ...(context.stretch!.stage === "cut-over" ? unextendTarget.generate(context) : [])]
      .filter((file) => file.path.endsWith(".sh"))
      .map((file) => {
        const name = path.join(dir, `${index}-${path.basename(file.path)}`);
        writeFileSync(name, file.contents);
        return name;
      }),
  );

  itWithTool("bash", "bash -n accepts every script", () => {
    expect(scripts.length).toBe(4 + 2 + 2 + 2 + 2 + 2 + 2);
    for (const file of scripts) expect(runTool("bash", ["-n", file]).status, file).toBe(0);
  });

  itWithTool("shellcheck", "shellcheck finds nothing in any script", () => {
    const result = runTool("shellcheck", ["--shell=bash", "--severity=style", ...scripts]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
