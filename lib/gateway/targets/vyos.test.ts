import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { itWithTool, networkNamespaces, runningAsRoot, tool } from "@/tests/support/gateway-tools";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { GeneratorInputError, type GatewayContext } from "../types";
import { renderLinuxVxlanScripts } from "./linux-iproute2";
import { commandLines, variant } from "@/tests/support/gateway-variants";
import { vyosTarget } from "./vyos";

function render(context: GatewayContext) {
  const [apply, undo] = vyosTarget.generate(context);
  if (!apply || !undo) throw new Error("expected an apply and an undo file");
  return { apply: apply.contents, undo: undo.contents, applyCommands: commandLines(apply.contents, "#"), undoCommands: commandLines(undo.contents, "#") };
}

function rejection(context: GatewayContext): GeneratorInputError {
  try {
    vyosTarget.generate(context);
  } catch (error) {
    if (error instanceof GeneratorInputError) return error;
    throw error;
  }
  throw new Error("expected a GeneratorInputError");
}

describe("vyosTarget", () => {
  it("writes the commands, their undo and the tunnel guard under source/vyos, and the pair helper in a pair", () => {
    const files = vyosTarget.generate(variant(CONTOSO_INPUT));
    expect(files.map((file) => [file.path, file.mode])).toEqual([
      ["source/vyos/bh-contoso-t1.vyos", 0o600],
      ["source/vyos/bh-contoso-t1-undo.vyos", 0o644],
      ["source/vyos/bh-contoso-t1-guard.nft", 0o644],
    ]);
    expect(vyosTarget.generate(variant(CONTOSO_PAIR_INPUTS[1])).map((file) => file.path)).toEqual([
      "source/vyos/bh-contoso-t2.vyos",
      "source/vyos/bh-contoso-t2-undo.vyos",
      "source/vyos/bh-contoso-t2-guard.nft",
      "source/vyos/bh-contoso-t2-pair.sh",
    ]);
  });

  it("in a pair, adds a VRRPv3 group on the bridge whose health check and transitions are the pair helper", () => {
    const primary = render(variant(CONTOSO_PAIR_INPUTS[0])).applyCommands;
    expect(primary).toEqual(
      expect.arrayContaining([
        "set high-availability vrrp global-parameters version 3",
        "set high-availability vrrp group bh-contoso-t1 interface br110",
        "set high-availability vrrp group bh-contoso-t1 vrid 250",
        "set high-availability vrrp group bh-contoso-t1 priority 200",
        "set high-availability vrrp group bh-contoso-t1 preempt-delay 60",
        "set high-availability vrrp group bh-contoso-t1 hello-source-address 169.254.4.113",
        "set high-availability vrrp group bh-contoso-t1 address 169.254.4.115/32",
        "set high-availability vrrp group bh-contoso-t1 track interface eth1.110",
        "set high-availability vrrp group bh-contoso-t1 health-check script /config/scripts/bh-contoso-t1-pair.sh",
        "set high-availability vrrp group bh-contoso-t1 transition-script master '/config/scripts/bh-contoso-t1-pair.sh notify INSTANCE bh-contoso-t1 MASTER'",
      ]),
    );
    const standby = render(variant(CONTOSO_PAIR_INPUTS[1])).applyCommands;
    expect(standby).toContain("set high-availability vrrp group bh-contoso-t2 priority 100");
    expect(standby.join("\n")).not.toContain("preempt-delay");
    expect(render(variant(CONTOSO_INPUT)).applyCommands.join("\n")).not.toContain("high-availability");
    // The same group and address list as a Linux member, so the two platforms make one pair.
    const linux = renderLinuxVxlanScripts(variant(CONTOSO_PAIR_INPUTS[1]), "source", { title: "t", applyCommand: "a", teardownCommand: "b" }).pair!.keepalived;
    expect(linux).toContain("virtual_router_id 250");
    expect(linux).toContain("169.254.4.115/32 dev br110");
  });

  itWithTool(
    [runningAsRoot, networkNamespaces, tool("nft", "nftables")],
    "in a pair, the boot-time guard load leaves an already active router's port open, and a standby's closed",
    () => {
      // VyOS runs keepalived (and so the transition scripts) while it loads its configuration, and
      // /config/scripts/vyos-postconfig-bootup.script after: run the line the header appends there
      // after the helper's MASTER or BACKUP, on stand-in devices, with /config/scripts in a folder.
      const files = vyosTarget.generate(variant(CONTOSO_PAIR_INPUTS[0]));
      const header = files[0]!.contents;
      const bootLine = /echo '(.+)' >> \/config\/scripts\/vyos-postconfig-bootup\.script/.exec(header)?.[1];
      if (!bootLine) throw new Error(`no boot-script line in the header:\n${header}`);
      const dir = mkdtempSync(path.join(tmpdir(), "bh-vyos-boot-"));
      try {
        for (const file of files.filter((f) => /-(guard\.nft|pair\.sh)$/.test(f.path))) {
          writeFileSync(path.join(dir, path.basename(file.path)), file.contents.replaceAll("/config/scripts", dir), { mode: file.mode });
        }
        const harness = [
          "set -euo pipefail",
          "mount -t tmpfs tmpfs /run && mkdir /run/bridgehead",
          "mount -t sysfs sysfs /sys",
          "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
          "ip link add br110 type bridge",
          'for pair in "eth1.110 lanpeer" "eth0 uplink" "vxlan10110 farend"; do set -- $pair; ip link add "$1" type veth peer name "$2"; ip link set "$2" up; done',
          "ip link set eth1.110 master br110 && ip link set vxlan10110 master br110",
          "for dev in br110 eth1.110 eth0 vxlan10110; do ip link set \"$dev\" up; done",
          'gate() { nft list chain bridge bh_contoso_t1_source gate | grep -c drop || true; }',
          `boot() { ${bootLine.replaceAll("/config/scripts", dir)}; }`,
          `"${dir}/bh-contoso-t1-pair.sh" notify INSTANCE bh-contoso-t1 MASTER 200 2>/dev/null; boot; echo "master gate=$(gate) vx=$(cat /sys/class/net/vxlan10110/operstate)"`,
          `"${dir}/bh-contoso-t1-pair.sh" notify INSTANCE bh-contoso-t1 BACKUP 200; boot; echo "backup gate=$(gate) vx=$(cat /sys/class/net/vxlan10110/operstate)"`,
        ].join("\n");
        const result = spawnSync("unshare", ["--net", "--mount", "bash", "-c", harness], { encoding: "utf8", timeout: 60_000 });
        expect(result.status, result.stderr).toBe(0);
        // 2: the gate's two drop rules, closed; 0: open.
        expect(result.stdout.trim().split("\n")).toEqual(["master gate=0 vx=up", "backup gate=2 vx=down"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("bridges a tagged LAN through a vif and an untagged one directly", () => {
    const tagged = render(variant(CONTOSO_INPUT));
    expect(tagged.applyCommands).toContain("set interfaces ethernet eth1 vif 110 description 'bridgehead:contoso:t1'");
    expect(tagged.applyCommands).toContain("set interfaces bridge br110 member interface eth1.110");

    const untagged = render(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanTagged = false)));
    expect(untagged.apply).not.toContain(" vif ");
    expect(untagged.applyCommands).toContain("set interfaces bridge br110 member interface eth1");
  });

  it("points the VXLAN at the AVS end from the source address, on the configured port and inner MTU", () => {
    const { applyCommands } = render(variant(CONTOSO_INPUT, (input) => void (input.vxlanPort = 4790)));
    expect(applyCommands).toEqual(
      expect.arrayContaining([
        "set interfaces vxlan vxlan10110 vni 10110",
        "set interfaces vxlan vxlan10110 remote 10.120.8.10",
        "set interfaces vxlan vxlan10110 source-address 198.51.100.10",
        "set interfaces vxlan vxlan10110 source-interface eth0",
        "set interfaces vxlan vxlan10110 port 4790",
        "set interfaces vxlan vxlan10110 mtu 1377",
      ]),
    );
  });

  it("clamps TCP MSS only when 1500-byte inner packets do not fit", () => {
    // IPsec over IPv4 costs 123 bytes: an underlay of 1622 leaves 1499, one of 1623 leaves exactly 1500.
    const short = render(variant(CONTOSO_INPUT, (input) => void (input.tenant.underlayMtu = 1622)));
    expect(short.applyCommands).toContain("set interfaces bridge br110 ip adjust-mss 1459");
    expect(short.applyCommands).toContain("set interfaces bridge br110 mtu 1499");

    const enough = render(variant(CONTOSO_INPUT, (input) => void (input.tenant.underlayMtu = 1623)));
    expect(enough.apply).not.toContain("adjust-mss");
    expect(enough.applyCommands).toContain("set interfaces bridge br110 mtu 1500");
  });

  it("raises the underlay NIC's MTU for a jumbo underlay, and only then", () => {
    expect(render(variant(FABRIKAM_INPUT)).applyCommands).toContain("set interfaces ethernet ens18 mtu 9000");
    expect(render(variant(CONTOSO_INPUT)).applyCommands.filter((line) => line.startsWith("set interfaces ethernet eth0"))).toEqual([]);
  });

  it("uses the bonding node for a bond", () => {
    const { applyCommands, undoCommands } = render(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "bond1")));
    expect(applyCommands).toContain("set interfaces bonding bond1 vif 110 description 'bridgehead:contoso:t1'");
    expect(undoCommands).toContain("delete interfaces bonding bond1 vif 110");
  });

  it.each([
    ["tunnel.source.lanInterface", "GigabitEthernet2", "a Cisco name"],
    ["tunnel.source.lanInterface", "eth1.110", "a VLAN sub-interface instead of the NIC"],
    ["tunnel.source.lanInterface", "ens1/0", "a slash, which Linux names cannot hold"],
    ["tunnel.source.underlayInterface", "wg0", "an interface type this file cannot set an MTU on"],
    ["tunnel.source.underlayInterface", "enp0s31f6abcdefgh", "more than 15 characters"],
  ] as const)("refuses %s %s (%s)", (field, name, _why) => {
    const error = rejection(
      variant(CONTOSO_INPUT, (input) => {
        if (field === "tunnel.source.lanInterface") input.tunnel.source.lanInterface = name;
        else input.tunnel.source.underlayInterface = name;
      }),
    );
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${name}"`);
  });

  it("refuses a LAN NIC whose VLAN interface name would pass Linux's 15 characters", () => {
    // ens1234567890 is 13 characters; with ".110" it is 17.
    const error = rejection(variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanInterface = "ens1234567890")));
    expect(error.field).toBe("tunnel.source.lanInterface");
    expect(error.message).toContain("ens1234567890.110");
    // The same NIC untagged needs no VLAN interface and is fine.
    expect(() => vyosTarget.generate(variant(CONTOSO_INPUT, (input) => {
      input.tunnel.source.lanInterface = "ens1234567890";
      input.tunnel.source.lanTagged = false;
    }))).not.toThrow();
  });

  it("refuses an underlay that leaves less than VyOS's smallest VXLAN MTU, and says how much to raise it", () => {
    // IPv6 underlay with IPsec: 1280 − 70 − 93 = 1117, below 1200; 83 more bytes are needed.
    const context = variant(CONTOSO_INPUT, (input) => {
      input.tenant.underlayMtu = 1280;
      input.tunnel.source.underlayIp = "2001:db8::10";
      input.tunnel.avs.underlayIp = "2001:db8:1::10";
    });
    const error = rejection(context);
    expect(error.field).toBe("tenant.underlayMtu");
    expect(error.message).toContain("1363");
  });

  it("undoes every interface the apply file creates, bridge first, and nothing else", () => {
    for (const context of [variant(CONTOSO_INPUT), variant(FABRIKAM_INPUT)]) {
      const { applyCommands, undoCommands } = render(context);
      const deletes = undoCommands.filter((line) => line.startsWith("delete "));
      expect(undoCommands).toEqual([...deletes, "commit", "save"]);
      const underlayMtu = /^set interfaces \S+ \S+ mtu \d+$/;
      const sets = applyCommands.filter((line) => line.startsWith("set ") && !(underlayMtu.test(line) && !line.includes(" vxlan ") && !line.includes(" bridge ")));
      // Every set line lives under a path the undo deletes …
      for (const line of sets) expect(deletes.some((del) => line.startsWith(`set ${del.slice("delete ".length)} `))).toBe(true);
      // … and every delete removes something the apply set.
      for (const del of deletes) expect(sets.some((line) => line.startsWith(`set ${del.slice("delete ".length)} `))).toBe(true);
      expect(deletes[0]).toMatch(/^delete interfaces bridge /);
    }
  });

  it("applies to VXLAN tenants only", () => {
    expect(vyosTarget.appliesTo(variant(CONTOSO_INPUT))).toBe(true);
    expect(vyosTarget.appliesTo(variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3")))).toBe(false);
  });
});
