import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { itWithTool, networkNamespaces, runningAsRoot, tool } from "@/tests/support/gateway-tools";
import { renderGuardRuleset } from "../tunnel-guard";
import type { GatewayContext } from "../types";
import { renderEdgeBridgeScripts } from "./cloud-init-edge-bridge";
import { KEEPALIVED_BASE } from "./linux-pair";
import { renderLinuxVxlanScripts } from "./linux-iproute2";
import { CONTOSO_PAIR_INPUTS } from "@/tests/support/gateway-inputs";
import { LINUX_SOURCE, variant } from "@/tests/support/gateway-variants";

const { contosoPrimary: primary, contosoStandby: standby } = LINUX_SOURCE;

function sourcePair(context: GatewayContext) {
  const pair = renderLinuxVxlanScripts(context, "source", { title: "t", applyCommand: "a", teardownCommand: "b" }).pair;
  if (!pair) throw new Error("expected pair files");
  return pair;
}

function avsPair(context: GatewayContext) {
  const pair = renderEdgeBridgeScripts(context).scripts.pair;
  if (!pair) throw new Error("expected pair files");
  return pair;
}

/** keepalived's settings without comments, one per line, trimmed. */
function settings(config: string): string[] {
  return config
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

describe("the pair's keepalived configuration", () => {
  it("holds the source gateways' election on the tenant bridge: tunnel 1 preferred, with a hold-down, never MASTER at start", () => {
    const one = settings(sourcePair(primary).keepalived);
    expect(one).toEqual(
      expect.arrayContaining([
        "vrrp_instance bh_contoso_t1_source {",
        "state BACKUP",
        "interface br110",
        "virtual_router_id 250",
        "version 3",
        "priority 200",
        "advert_int 0.2",
        "preempt_delay 60",
        "mcast_src_ip 169.254.4.113",
        "169.254.4.115/32 dev br110",
        'notify "/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh notify" root',
        'script "/usr/local/lib/bridgehead/bh-contoso-t1-pair.sh check"',
        'file "/run/bridgehead/bh-contoso-t1-source.force"',
      ]),
    );
    // The LAN port and the underlay NIC are tracked: a gateway cut off from either cannot stand.
    expect(sourcePair(primary).keepalived).toContain("  track_interface {\n    eth1.110\n    eth0\n  }");
    const two = settings(sourcePair(standby).keepalived);
    expect(two).toEqual(expect.arrayContaining(["priority 100", "mcast_src_ip 169.254.4.114", "169.254.4.115/32 dev br110"]));
    expect(two).not.toContain("preempt_delay 60");
  });

  it("holds the edge bridges' election on the segment, where hearing one's source gateway is worth 100", () => {
    const one = settings(avsPair(primary).keepalived);
    expect(one).toEqual(expect.arrayContaining(["virtual_router_id 251", "priority 100", "bh_contoso_t1_avs_check weight 100", "169.254.4.119/32 dev br110", "rise 1"]));
    expect(one.join("\n")).not.toMatch(/preempt_delay|track_file/);
    expect(settings(avsPair(standby).keepalived)).toEqual(expect.arrayContaining(["priority 50", "mcast_src_ip 169.254.4.118"]));
  });

  const dir = mkdtempSync(path.join(tmpdir(), "bh-keepalived-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** keepalived's own configuration check, with the files where the README puts them (a private mount namespace). */
  function configTest(snippet: string, helper: string, stem: string) {
    const base = path.join(dir, "base.conf");
    writeFileSync(base, KEEPALIVED_BASE);
    writeFileSync(path.join(dir, `${stem}.conf`), snippet);
    writeFileSync(path.join(dir, `${stem}-pair.sh`), helper, { mode: 0o755 });
    const script = [
      "set -e",
      "mount -t tmpfs tmpfs /usr/local/lib && mkdir -p /usr/local/lib/bridgehead",
      `install -m 755 ${dir}/${stem}-pair.sh /usr/local/lib/bridgehead/`,
      "mount -t tmpfs tmpfs /etc/keepalived && mkdir /etc/keepalived/conf.d",
      `cp ${base} /etc/keepalived/keepalived.conf && cp ${dir}/${stem}.conf /etc/keepalived/conf.d/`,
      "exec keepalived --config-test -f /etc/keepalived/keepalived.conf",
    ].join("\n");
    const result = spawnSync("unshare", ["--mount", "bash", "-c", script], { encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  }

  itWithTool([tool("keepalived"), runningAsRoot, networkNamespaces], "keepalived --config-test accepts every end's configuration, and refuses a broken one", () => {
    for (const context of [primary, standby]) {
      const stem = `bh-contoso-t${context.tunnel.ordinal}`;
      for (const pair of [sourcePair(context), avsPair(context)]) {
        const result = configTest(pair.keepalived, pair.helper, stem);
        expect(result.output).toBe("");
        expect(result.status).toBe(0);
      }
    }
    const pair = sourcePair(primary);
    const broken = configTest(pair.keepalived.replace("advert_int", "advert_intt"), pair.helper, "bh-contoso-t1");
    expect(broken.status).not.toBe(0);
    expect(broken.output).toContain("Unknown keyword 'advert_intt'");
  });
});

/**
 * The source gateway's pair helper on real devices: a bridge with a LAN port and a stand-in
 * VXLAN port (a veth pair, whose receive counter a frame from the peer raises), the guard table
 * with its gate, and /run private. Each step prints what the helper left behind.
 */
const HELPER_HARNESS = `
set -euo pipefail
helper=$1 rules=$2
mount -t tmpfs tmpfs /run && mkdir /run/bridgehead
mount -t sysfs sysfs /sys
# No IPv6 in this namespace: the veths' own router solicitations and MLD reports would raise the stand-in
# tunnel's receive counter at moments of their choosing, and the "silent" check below would hear them.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip link add br110 type bridge
for pair in "eth1 lanpeer" "eth0 uplink" "vx10110 farend"; do set -- $pair; ip link add "$1" type veth peer name "$2"; ip link set "$2" up; done
ip link set eth1 master br110 && ip link set vx10110 master br110
for dev in br110 eth1 eth0; do ip link set "$dev" up; done
nft -f "$rules"
state=/run/bridgehead/bh-contoso-t1-source
# Carrier follows a veth peer a moment later, and the operational state (what keepalived and the helper read) up
# to a second after that: wait for both (at most 5 s) before the next step.
carrier() {
  for _ in $(seq 100); do
    [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null || echo 0)" = "$2" ] && { [ "$(cat "/sys/class/net/$1/operstate")" = up ] && [ "$2" = 1 ] || { [ "$(cat "/sys/class/net/$1/operstate")" != up ] && [ "$2" = 0 ]; }; } && return 0
    sleep 0.05
  done
  return 1
}
show() { printf '%s %s gate=%s vx=%s\\n' "$1" "$(cat "$state.role")" "$(nft list chain bridge bh_contoso_t1_source gate | grep -c drop || true)" "$(cat /sys/class/net/vx10110/operstate)"; }
"$helper" notify INSTANCE bh BACKUP 200; show start
"$helper" notify INSTANCE bh MASTER 200; show master
"$helper" status | sed 's/^/status /'
"$helper" standby >/dev/null; "$helper" notify INSTANCE bh FAULT 0; show forced
"$helper" resume >/dev/null
ip link set lanpeer down; carrier eth1 0; "$helper" notify INSTANCE bh FAULT 0; show lan; ip link set lanpeer up; carrier eth1 1
ip link set uplink down; carrier eth0 0; "$helper" notify INSTANCE bh FAULT 0; show underlay; ip link set uplink up; carrier eth0 1
# Active for 20 s (past the grace) and silent: the check fails and names the tunnel.
"$helper" notify INSTANCE bh MASTER 200; echo "MASTER $(( $(date +%s) - 20 ))" >"$state.state"
"$helper" check || true; "$helper" check && echo "check silent passed" || echo "check silent failed $(cat "$state.why")"
# A frame through the tunnel: the check passes and starts the sweep once.
python3 -c 'import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("farend", 0)); s.send(b"\\xff" * 6 + b"\\x02" + b"\\x00" * 5 + b"\\x88\\xb5" + b"x" * 46)'
"$helper" check && echo "check heard passed swept=$([ -e "$state.swept" ] && echo yes || echo no)"
echo tunnel-silent >"$state.why"; "$helper" notify INSTANCE bh FAULT 0; show silent
"$helper" check && echo "cooldown passed" || echo "cooldown failed"
"$helper" sync; show synced
`;

describe("the pair helper", () => {
  itWithTool([runningAsRoot, networkNamespaces, tool("nft", "nftables"), tool("python3")], "opens and closes the port with keepalived's state, and says when and why", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bh-pair-helper-"));
    try {
      const helper = path.join(dir, "pair.sh");
      // Untagged, so the helper's LAN port is eth1 itself.
      writeFileSync(helper, sourcePair(variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tunnel.source.lanTagged = false))).helper, { mode: 0o755 });
      const rules = path.join(dir, "guard.nft");
      writeFileSync(rules, renderGuardRuleset({ table: "bh_contoso_t1_source", vxlan: "vx10110", mss: null, pair: true }).join("\n"));
      const result = spawnSync("unshare", ["--net", "--mount", "bash", "-c", HELPER_HARNESS, "harness", helper, rules], { encoding: "utf8", timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      const lines = result.stdout.trim().split("\n");
      const step = (name: string) => {
        const line = lines.find((l) => l.startsWith(`${name} `));
        if (!line) throw new Error(`no ${name} in ${result.stdout}${result.stderr}`);
        const [, json, gate, vx] = /^\S+ (\{.*\}) gate=(\d+) vx=(\w+)$/.exec(line) ?? [];
        return { ...(JSON.parse(json ?? "{}") as { role: string; reason: string; state: string }), gate: Number(gate), vx };
      };
      // Closed: two drop rules in the gate and the VXLAN device down. Open: neither.
      expect(step("start")).toMatchObject({ role: "standby", state: "BACKUP", reason: "startup", gate: 2, vx: "down" });
      expect(step("master")).toMatchObject({ role: "active", state: "MASTER", reason: "elected", gate: 0 });
      expect(step("master").vx).not.toBe("down");
      expect(lines).toContainEqual(expect.stringMatching(/^status \{"role":"active","state":"MASTER","since":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ","reason":"elected","tunnel":1,"side":"source"\}$/));
      expect(step("forced")).toMatchObject({ role: "fault", reason: "forced", gate: 2, vx: "down" });
      expect(step("lan")).toMatchObject({ role: "fault", reason: "lan-down" });
      expect(step("underlay")).toMatchObject({ role: "fault", reason: "underlay-down" });
      expect(lines).toContain("check silent failed tunnel-silent");
      expect(lines).toContain("check heard passed swept=yes");
      expect(step("silent")).toMatchObject({ role: "fault", reason: "tunnel-silent" });
      // After its tunnel went silent the gateway sits out the cool-down, whatever the underlay says.
      expect(lines).toContain("cooldown failed");
      expect(step("synced")).toMatchObject({ gate: 2, vx: "down" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The edge bridge's pair helper on the same stand-ins: an active edge bridge forwards only while
 * it hears its source gateway through the tunnel (a frame on the stand-in VXLAN port is hearing).
 */
const EDGE_HARNESS = `
set -euo pipefail
helper=$1 rules=$2
mount -t tmpfs tmpfs /run && mkdir /run/bridgehead
mount -t sysfs sysfs /sys
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip link add br110 type bridge
for pair in "eth1 segpeer" "eth0 uplink" "vx10110 farend"; do set -- $pair; ip link add "$1" type veth peer name "$2"; ip link set "$2" up; done
ip link set eth1 master br110 && ip link set vx10110 master br110
for dev in br110 eth1 eth0 vx10110; do ip link set "$dev" up; done
nft -f "$rules"
hear() { python3 -c 'import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("farend", 0)); s.send(b"\\xff" * 6 + b"\\x02" + b"\\x00" * 5 + b"\\x88\\xb5" + b"x" * 46)'; }
gate() { nft list chain bridge bh_contoso_t1_avs gate | grep -c drop || true; }
"$helper" check || true
"$helper" notify INSTANCE bh MASTER 100; echo "master-deaf gate=$(gate)"
hear; "$helper" check; echo "heard gate=$(gate)"
"$helper" check || true; echo "one-miss gate=$(gate)"
"$helper" check || true; echo "two-misses gate=$(gate)"
hear; "$helper" check; echo "heard-again gate=$(gate)"
"$helper" notify INSTANCE bh BACKUP 100; hear; "$helper" check; echo "backup-hearing gate=$(gate)"
"$helper" sync; echo "synced gate=$(gate)"
`;

describe("the edge bridge's pair helper", () => {
  itWithTool([runningAsRoot, networkNamespaces, tool("nft", "nftables"), tool("python3")], "opens an active edge bridge's port only while it hears its gateway", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bh-edge-helper-"));
    try {
      const helper = path.join(dir, "pair.sh");
      writeFileSync(helper, avsPair(primary).helper, { mode: 0o755 });
      const rules = path.join(dir, "guard.nft");
      writeFileSync(rules, renderGuardRuleset({ table: "bh_contoso_t1_avs", vxlan: "vx10110", mss: null, pair: true }).join("\n"));
      const result = spawnSync("unshare", ["--net", "--mount", "bash", "-c", EDGE_HARNESS, "harness", helper, rules], { encoding: "utf8", timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      // 2: the gate's two drop rules, closed; 0: open.
      expect(result.stdout.trim().split("\n")).toEqual([
        // Elected before it heard its gateway: closed, so a gateway whose frames are lost hears nothing back.
        "master-deaf gate=2",
        "heard gate=0",
        // One missed second is loss, not silence; two close the port.
        "one-miss gate=0",
        "two-misses gate=2",
        "heard-again gate=0",
        // A standby edge bridge hears its gateway and stays closed.
        "backup-hearing gate=2",
        "synced gate=2",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * keepalived's notifications applied out of order: a notify started for an earlier transition
 * (here held stopped between its start and its first line, as a loaded machine may hold it) gets
 * the lock after the one for the later transition. The edge bridge's stand-ins as above.
 */
const ORDER_HARNESS = `
set -euo pipefail
helper=$1 rules=$2
mount -t tmpfs tmpfs /run && mkdir /run/bridgehead
mount -t sysfs sysfs /sys
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip link add br110 type bridge
for pair in "eth1 segpeer" "eth0 uplink" "vx10110 farend"; do set -- $pair; ip link add "$1" type veth peer name "$2"; ip link set "$2" up; done
ip link set eth1 master br110 && ip link set vx10110 master br110
for dev in br110 eth1 eth0 vx10110; do ip link set "$dev" up; done
nft -f "$rules"
state=/run/bridgehead/bh-contoso-t1-avs
hear() { python3 -c 'import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("farend", 0)); s.send(b"\\xff" * 6 + b"\\x02" + b"\\x00" * 5 + b"\\x88\\xb5" + b"x" * 46)'; }
gate() { nft list chain bridge bh_contoso_t1_avs gate | grep -c drop || true; }
# Started now, as keepalived starts a notify, but stopped before it runs a line of the helper.
start_late() { bash -c 'kill -STOP $$; exec "$0" notify INSTANCE bh "$1" 100' "$helper" "$1" & late=$!; until [ "$(cut -d " " -f 3 "/proc/$late/stat")" = T ]; do sleep 0.01; done; }
finish_late() { kill -CONT "$late"; wait "$late"; }
# A step that fails leaves no stopped helper behind.
trap '[ -z "\${late:-}" ] || kill -KILL "$late" 2>/dev/null || true' EXIT
show() { printf '%s %s gate=%s\\n' "$1" "$(cat "$state.role")" "$(gate)"; }
"$helper" check || true
start_late FAULT; "$helper" notify INSTANCE bh BACKUP 100; finish_late; show fault-then-backup
hear; "$helper" check
start_late FAULT; "$helper" notify INSTANCE bh MASTER 100; finish_late; show fault-then-master
hear; "$helper" check; show master-checked
echo "transitions $(cut -d " " -f 2 "$state.log" | paste -sd " ")"
`;

describe("the pair helper and keepalived's notifications", () => {
  itWithTool([runningAsRoot, networkNamespaces, tool("nft", "nftables"), tool("python3")], "applies only the newest transition when an older notification gets the lock last", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bh-order-helper-"));
    try {
      const helper = path.join(dir, "pair.sh");
      writeFileSync(helper, avsPair(primary).helper, { mode: 0o755 });
      const rules = path.join(dir, "guard.nft");
      writeFileSync(rules, renderGuardRuleset({ table: "bh_contoso_t1_avs", vxlan: "vx10110", mss: null, pair: true }).join("\n"));
      const result = spawnSync("unshare", ["--net", "--mount", "bash", "-c", ORDER_HARNESS, "harness", helper, rules], { encoding: "utf8", timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      const lines = result.stdout.trim().split("\n");
      const step = (name: string) => {
        const [, json, gate] = /^\S+ (\{.*\}) gate=(\d+)$/.exec(lines.find((l) => l.startsWith(`${name} `)) ?? "") ?? [];
        if (!json) throw new Error(`no ${name} in ${result.stdout}${result.stderr}`);
        return { ...(JSON.parse(json) as { role: string; state: string }), gate: Number(gate) };
      };
      // The boot-time race from the pair lab (tests/gateway-pair-netns.test.ts): the edge bridge stays a standby, not "fault".
      expect(step("fault-then-backup")).toMatchObject({ role: "standby", state: "BACKUP", gate: 2 });
      // An active end whose late FAULT came last keeps its port open, and its check keeps seeing MASTER.
      expect(step("fault-then-master")).toMatchObject({ role: "active", state: "MASTER", gate: 0 });
      expect(step("master-checked")).toMatchObject({ role: "active", gate: 0 });
      // Neither late FAULT was applied: the transition log holds only what keepalived ended in.
      expect(lines).toContain("transitions BACKUP MASTER");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Review (third round): two notifies in one 10 ms tick are ordered by pid, and the pid counter
  // wraps. Compared plainly, a MASTER forked just after the wrap was dropped as older than a
  // FAULT forked just before it, which is the outage this ordering exists to prevent.
  itWithTool([tool("bash")], "orders two notifies of one tick by pid across the pid counter's wrap", () => {
    const helper = avsPair(primary).helper;
    const superseded = /^superseded\(\) \{\n[\s\S]*?\n\}$/m.exec(helper)?.[0];
    expect(superseded).toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), "bh-notify-order-"));
    try {
      const pidMax = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
      /** Whether a notify started at `started` (boot tick pid) is dropped after `last` was applied (null: none yet). */
      const dropped = (started: string, last: string | null) => {
        const state = path.join(dir, "bh");
        rmSync(`${state}.notified`, { force: true });
        if (last !== null) writeFileSync(`${state}.notified`, `${last}\n`);
        const run = spawnSync("bash", ["-c", `set -euo pipefail; STATE=$1; ${superseded}\nif superseded "$2"; then echo dropped; else echo applied; fi`, "check", state, started], { encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        return run.stdout.trim() === "dropped";
      };
      expect(dropped("b 500 300", null)).toBe(false);
      expect(dropped("b 499 900", "b 500 300")).toBe(true);
      expect(dropped("b 501 100", "b 500 300")).toBe(false);
      // Another boot: whatever its ticks, it is newer.
      expect(dropped("c 10 100", "b 500 300")).toBe(false);
      // One tick: the later fork has the higher pid...
      expect(dropped("b 500 299", "b 500 300")).toBe(true);
      expect(dropped("b 500 301", "b 500 300")).toBe(false);
      // ...counted across the wrap: a fork at pid 300 after one at pid_max - 1 is the later one.
      expect(dropped(`b 500 300`, `b 500 ${pidMax - 1}`)).toBe(false);
      expect(dropped(`b 500 ${pidMax - 1}`, "b 500 300")).toBe(true);
      // The same notify again is not older than itself.
      expect(dropped("b 500 300", "b 500 300")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it("names the pair helper the same in keepalived's file and in the apply script that calls it", () => {
  const source = renderLinuxVxlanScripts(primary, "source", { title: "t", applyCommand: "a", teardownCommand: "b" });
  expect(source.apply).toContain(`PAIR_HELPER="${source.pair?.helperPath}"`);
  expect(source.pair?.keepalived).toContain(`script "${source.pair?.helperPath} check"`);
});
