import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { itWithTool, loadYaml, pyYaml, runTool } from "@/tests/support/gateway-tools";
import { gatewayContext, type GatewayContextInput } from "../context";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { GeneratorInputError, type GatewayContext } from "../types";
import { cloudInitEdgeBridgeTarget, renderEdgeBridgeScripts } from "./cloud-init-edge-bridge";

type CloudConfig = {
  write_files: { path: string; owner: string; permissions: string; content: string }[];
  runcmd: string[][];
  packages?: string[];
};

function withAvs(base: GatewayContextInput, avs: Partial<GatewayContextInput["tunnel"]["avs"]>, tenant: Partial<GatewayContextInput["tenant"]> = {}): GatewayContext {
  return gatewayContext({ ...base, tenant: { ...base.tenant, ...tenant }, tunnel: { ...base.tunnel, avs: { ...base.tunnel.avs, ...avs } } });
}

function userData(context: GatewayContext): string {
  const files = cloudInitEdgeBridgeTarget.generate(context);
  expect(files).toHaveLength(1);
  return files[0]?.contents ?? "";
}

const contoso = gatewayContext(CONTOSO_INPUT);
const fabrikam = gatewayContext(FABRIKAM_INPUT);
const ipv6 = gatewayContext({
  ...CONTOSO_INPUT,
  tunnel: { ...CONTOSO_INPUT.tunnel, source: { ...CONTOSO_INPUT.tunnel.source, underlayIp: "2001:db8:10::10" }, avs: { ...CONTOSO_INPUT.tunnel.avs, underlayIp: "2001:db8:20::10" } },
});
const tagged = withAvs(FABRIKAM_INPUT, { lanTagged: true, lanInterface: "ens224" }, { displayName: "O'Brien & Sons (EU/UK) + co." });
const primary = gatewayContext(CONTOSO_PAIR_INPUTS[0]);
const standby = gatewayContext(CONTOSO_PAIR_INPUTS[1]);

describe("cloudInitEdgeBridgeTarget", () => {
  it("writes one cloud-config file for the AVS end, readable, named for the tenant and tunnel", () => {
    expect(cloudInitEdgeBridgeTarget).toMatchObject({ id: "cloud-init-edge-bridge", role: "edge-bridge", sides: ["avs"] });
    const [file] = cloudInitEdgeBridgeTarget.generate(contoso);
    expect(file).toMatchObject({ path: "avs/cloud-init/bh-contoso-t1-edge-bridge.yaml", mode: 0o644 });
  });

  it("opens with #cloud-config, then the header with the tunnel's facts and the segment's needs", () => {
    const lines = userData(contoso).split("\n");
    expect(lines[0]).toBe("#cloud-config");
    expect(lines[1]).toBe("# AVS edge bridge, cloud-init user data");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# Tenant:      Contoso Manufacturing (contoso)",
        "# VLAN:        110   VNI: 10110   Subnet: 192.168.10.0/24",
        "# Source end:  contoso-gw1 198.51.100.10",
        "# AVS end:     contoso-bridge1 10.120.8.10 (segment bh-contoso)",
        "# MTU budget:  underlay MTU 1500 − 50 VXLAN over IPv4 − 73 IPsec ESP (tunnel mode, worst case) = inner MTU 1377; TCP MSS 1337 (inner MTU − 40)",
        "#   In NSX-T, attach a MAC Discovery segment profile with MAC Learning enabled (and MAC Change allowed) to segment bh-contoso,",
        "#   sudo systemctl disable --now bh-contoso-t1-edge-bridge.service   (runs the teardown script)",
      ]),
    );
    // Said again in a comment of its own beside the data, not only in the header's steps.
    const applyHeaderEnd = lines.indexOf("write_files:");
    const comment = lines.slice(lines.indexOf("# Undo:"), applyHeaderEnd).join("\n");
    expect(comment).toContain("# NSX-T segment bh-contoso:");
    expect(comment).toMatch(/MAC Learning enabled/);
    expect(comment).toMatch(/forged transmits/);
  });

  it("writes the AVS end's scripts, whose VXLAN starts at the AVS address toward the source", () => {
    const text = userData(contoso);
    expect(text).toContain('  - path: "/usr/local/sbin/bh-contoso-t1-apply.sh"\n    owner: "root:root"\n    permissions: "0755"\n    content: |\n      #!/usr/bin/env bash\n');
    expect(text).toContain('      LOCAL_IP="10.120.8.10"\n      REMOTE_IP="198.51.100.10"');
    expect(text).toContain('      MARK="bridgehead:contoso:t1:avs"');
    expect(text).toContain("      # AVS edge bridge, Linux iproute2 (apply script, AVS end)");
  });

  it("installs nftables for the tunnel guard on every edge bridge, and keepalived and arp-scan only for a pair", () => {
    expect(userData(contoso)).toContain('packages:\n  - "nftables"\n\nruncmd:');
    expect(userData(fabrikam)).toContain('packages:\n  - "nftables"\n\nruncmd:');
    expect(userData(fabrikam)).toContain("nft -f");
    expect(userData(primary)).toContain('packages:\n  - "nftables"\n  - "keepalived"\n  - "arp-scan"\n');
  });

  itWithTool(pyYaml, "in a pair: writes the pair helper, keepalived's files and its start order, and enables keepalived after the bridge", () => {
    const config = loadYaml(userData(primary)) as CloudConfig;
    expect(config.write_files.map((file) => [file.path, file.permissions])).toEqual([
      ["/usr/local/sbin/bh-contoso-t1-apply.sh", "0755"],
      ["/usr/local/sbin/bh-contoso-t1-teardown.sh", "0755"],
      ["/etc/systemd/system/bh-contoso-t1-edge-bridge.service", "0644"],
      ["/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh", "0755"],
      ["/etc/keepalived/keepalived.conf", "0644"],
      ["/etc/keepalived/conf.d/bh-contoso-t1.conf", "0644"],
      ["/etc/systemd/system/keepalived.service.d/bridgehead.conf", "0644"],
    ]);
    const rendered = renderEdgeBridgeScripts(primary).scripts.pair;
    expect(config.write_files[3]?.content).toBe(rendered?.helper);
    expect(config.write_files[5]?.content).toBe(rendered?.keepalived);
    expect(config.write_files[5]?.content).toContain("  virtual_router_id 251\n");
    expect(config.write_files[6]?.content).toBe("[Unit]\nAfter=bh-contoso-t1-edge-bridge.service\nWants=bh-contoso-t1-edge-bridge.service\n");
    expect(config.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "bh-contoso-t1-edge-bridge.service"],
      ["systemctl", "enable", "keepalived"],
      ["systemctl", "restart", "keepalived"],
    ]);
  });

  it("refuses L2TPv3 and impossible interface names, naming the field", () => {
    expect(() => userData(withAvs(CONTOSO_INPUT, {}, { encapsulation: "l2tpv3" }))).toThrow(GeneratorInputError);
    try {
      userData(withAvs(CONTOSO_INPUT, { lanInterface: "abcdefghijklmnop" }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GeneratorInputError);
      expect((error as GeneratorInputError).field).toBe("tunnel.avs.lanInterface");
    }
  });

  itWithTool(pyYaml, "parses (with cloud-init's own PyYAML) into the scripts byte for byte, a boot-time unit, and a runcmd that starts it", () => {
    const config = loadYaml(userData(contoso)) as CloudConfig;
    expect(config.write_files.map((file) => [file.path, file.permissions])).toEqual([
      ["/usr/local/sbin/bh-contoso-t1-apply.sh", "0755"],
      ["/usr/local/sbin/bh-contoso-t1-teardown.sh", "0755"],
      ["/etc/systemd/system/bh-contoso-t1-edge-bridge.service", "0644"],
    ]);
    const [apply, teardown, unit] = config.write_files.map((file) => file.content);
    // The block scalars must hand back exactly the script text, down to the final newline.
    const rendered = renderEdgeBridgeScripts(contoso).scripts;
    expect(apply).toBe(rendered.apply);
    expect(teardown).toBe(rendered.teardown);
    expect(apply).toMatch(/^#!\/usr\/bin\/env bash\n# AVS edge bridge, Linux iproute2 \(apply script, AVS end\)\n/);
    expect(apply).toContain('\nMARK="bridgehead:contoso:t1:avs"\n');
    expect(unit).toBe(
      [
        "[Unit]",
        "Description=Bridgehead edge bridge for contoso tunnel 1 (VNI 10110 into segment bh-contoso)",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        "ExecStart=/usr/local/sbin/bh-contoso-t1-apply.sh",
        "ExecStop=/usr/local/sbin/bh-contoso-t1-teardown.sh",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
      ].join("\n"),
    );
    expect(config.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "bh-contoso-t1-edge-bridge.service"],
    ]);
    expect(config.packages).toEqual(["nftables"]);
  });

  describe("checked by the real tools", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bh-cloud-init-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const variants = { contoso, fabrikam, ipv6, tagged, primary, standby };
    const files = Object.entries(variants).map(([name, context]) => {
      const file = path.join(dir, `${name}.yaml`);
      writeFileSync(file, userData(context));
      return file;
    });

    itWithTool("cloud-init", "cloud-init schema accepts the user data (clamped, jumbo, IPv6, tagged with a punctuated name, both ends of a pair)", () => {
      for (const file of files) {
        const result = runTool("cloud-init", ["schema", "--config-file", file]);
        expect(result.output, path.basename(file)).toContain(`Valid cloud-config: ${file}`);
        expect(result.status, path.basename(file)).toBe(0);
      }
    });

    itWithTool(["shellcheck", pyYaml], "the scripts inside pass bash -n and shellcheck", () => {
      const scripts = files.flatMap((file, index) =>
        (loadYaml(userData(Object.values(variants)[index] as GatewayContext)) as CloudConfig).write_files
          .filter((entry) => entry.path.endsWith(".sh"))
          .map((entry) => {
            const script = path.join(dir, `${path.basename(file, ".yaml")}-${path.basename(entry.path)}`);
            writeFileSync(script, entry.content);
            return script;
          }),
      );
      // Apply and teardown for each, and the pair helper for the pair's two edge bridges.
      expect(scripts).toHaveLength(14);
      for (const script of scripts) expect(runTool("bash", ["-n", script]).status, script).toBe(0);
      const result = runTool("shellcheck", ["--shell=bash", "--severity=style", ...scripts]);
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    });
  });
});
