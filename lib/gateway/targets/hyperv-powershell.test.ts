import { describe, expect, it } from "vitest";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { targetsFor } from "../registry";
import type { GatewayContext } from "../types";
import { hypervPowershellTarget, psQuote } from "./hyperv-powershell";
import { commandLines, variant } from "@/tests/support/gateway-variants";
import { vyosTarget } from "./vyos";

function render(context: GatewayContext) {
  const [apply, undo] = hypervPowershellTarget.generate(context);
  if (!apply || !undo) throw new Error("expected an apply and an undo script");
  return { apply: apply.contents, undo: undo.contents };
}

const hyperv = (change: Parameters<typeof variant>[1] = () => {}) =>
  variant(CONTOSO_INPUT, (input) => {
    input.tenant.sourceEnvironment = "hyper-v";
    change(input);
  });

describe("psQuote", () => {
  it("wraps a value in single quotes", () => {
    expect(psQuote("contoso-gw1")).toBe("'contoso-gw1'");
    expect(psQuote("")).toBe("''");
  });

  it("doubles a single quote, so the value cannot end the string", () => {
    expect(psQuote("O'Brien")).toBe("'O''Brien'");
    expect(psQuote("'")).toBe("''''");
  });

  it("doubles the typographic single quotes PowerShell also treats as quotes", () => {
    expect(psQuote("a\u2018b\u2019c\u201Ad\u201Be")).toBe("'a\u2018\u2018b\u2019\u2019c\u201A\u201Ad\u201B\u201Be'");
  });

  it("leaves what is special only in double-quoted strings alone", () => {
    expect(psQuote('$(Remove-Item C:\\) `n "x"')).toBe("'$(Remove-Item C:\\) `n \"x\"'");
  });
});

describe("hypervPowershellTarget", () => {
  it("applies to Hyper-V tenants only, before the gateway's own config", () => {
    expect(hypervPowershellTarget.appliesTo(variant(FABRIKAM_INPUT))).toBe(true);
    expect(hypervPowershellTarget.appliesTo(variant(CONTOSO_INPUT))).toBe(false);
    const order = targetsFor(variant(FABRIKAM_INPUT)).map((target) => target.id);
    expect(order.indexOf("hyperv-powershell")).toBeLessThan(order.indexOf(vyosTarget.id));
    expect(targetsFor(variant(CONTOSO_INPUT)).map((target) => target.id)).not.toContain("hyperv-powershell");
  });

  it("writes both scripts under source/hyperv as executables", () => {
    expect(hypervPowershellTarget.generate(variant(FABRIKAM_INPUT)).map((file) => [file.path, file.mode])).toEqual([
      ["source/hyperv/bh-fabrikam-t1-vlan.ps1", 0o755],
      ["source/hyperv/bh-fabrikam-t1-vlan-undo.ps1", 0o755],
    ]);
  });

  it("requires an elevated session with the Hyper-V module, and stops on the first error", () => {
    for (const script of Object.values(render(variant(FABRIKAM_INPUT)))) {
      expect(script).toContain("\n#Requires -RunAsAdministrator\n#Requires -Modules Hyper-V\n");
      expect(script).toContain("\n$ErrorActionPreference = 'Stop'\n");
    }
  });

  it("names the gateway VM after the source host, and the adapter after the LAN NIC or 'LAN'", () => {
    expect(render(variant(FABRIKAM_INPUT)).apply).toContain("[string] $VMName = 'fabrikam-gw1',\n    [string] $AdapterName = 'ens19'\n");
    expect(render(hyperv()).apply).toContain("[string] $VMName = 'contoso-gw1',\n    [string] $AdapterName = 'LAN'\n");
  });

  it("trunks the VLAN to a gateway that takes it tagged, and makes an access port for one that takes it untagged", () => {
    const tagged = commandLines(render(hyperv()).apply, "#");
    expect(tagged).toContain("    Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Trunk -AllowedVlanIdList '110' -NativeVlanId 0");
    expect(tagged.join("\n")).not.toContain("-Access");

    const untagged = commandLines(render(hyperv((input) => void (input.tunnel.source.lanTagged = false))).apply, "#");
    expect(untagged).toContain("    Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Access -VlanId 110");
    expect(untagged.join("\n")).not.toContain("-Trunk");
  });

  it("turns MAC address spoofing on, and the undo turns it off and the adapter back to untagged", () => {
    const { apply, undo } = render(variant(FABRIKAM_INPUT));
    const sets = (script: string) => commandLines(script, "#").filter((line) => /^\s*Set-VM/.test(line)).map((line) => line.trim());
    expect(sets(apply)).toEqual([
      "Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Access -VlanId 120",
      "Set-VMNetworkAdapter -VMName $VMName -Name $AdapterName -MacAddressSpoofing On",
    ]);
    expect(sets(undo)).toEqual([
      "Set-VMNetworkAdapterVlan -VMName $VMName -VMNetworkAdapterName $AdapterName -Untagged",
      "Set-VMNetworkAdapter -VMName $VMName -Name $AdapterName -MacAddressSpoofing Off",
    ]);
  });

  it("changes a setting only after checking it is not already so (both scripts can run twice)", () => {
    for (const context of [variant(FABRIKAM_INPUT), hyperv()]) {
      for (const script of Object.values(render(context))) {
        const lines = script.split("\n");
        lines.forEach((line, i) => {
          if (/^\s*Set-VM/.test(line)) expect(lines[i - 1]).toBe("} else {");
        });
        expect(lines.filter((line) => /^if \(\$(vlan|adapter\[0\])\./.test(line))).toHaveLength(2);
      }
    }
  });
});
