/**
 * The reason word a pair helper reports with FAULT (lib/gateway/targets/linux-pair.ts, fault_reason):
 * always the current one, never a word left over from an earlier FAULT, and a real word for the
 * FAULT keepalived enters at start while the tenant bridge is not yet running. The helper runs on
 * real devices in a private network and mount namespace, as in linux-pair.test.ts: a bridge, a LAN
 * or segment port, an underlay NIC and a stand-in VXLAN port (a veth whose receive counter a frame
 * from the far end raises), the guard table with its gate, /run private.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect } from "vitest";
import { itWithTool, networkNamespaces, runningAsRoot, tool } from "@/tests/support/gateway-tools";
import { CONTOSO_PAIR_INPUTS } from "@/tests/support/gateway-inputs";
import { LINUX_SOURCE, variant } from "@/tests/support/gateway-variants";
import { renderGuardRuleset } from "../tunnel-guard";
import { renderEdgeBridgeScripts } from "./cloud-init-edge-bridge";
import { renderLinuxVxlanScripts } from "./linux-iproute2";

function sourceHelper(): string {
  // Untagged, so the helper's LAN port is eth1 itself.
  const context = variant(CONTOSO_PAIR_INPUTS[0], (input) => void (input.tunnel.source.lanTagged = false));
  const helper = renderLinuxVxlanScripts(context, "source", { title: "t", applyCommand: "a", teardownCommand: "b" }).pair?.helper;
  if (!helper) throw new Error("expected pair files");
  return helper;
}

function edgeHelper(): string {
  const helper = renderEdgeBridgeScripts(LINUX_SOURCE.contosoPrimary).scripts.pair?.helper;
  if (!helper) throw new Error("expected pair files");
  return helper;
}

/** Devices as in linux-pair.test.ts; `$enslave` says whether the bridge gets its ports now (else it is not running, as at start). */
const DEVICES = `
set -euo pipefail
helper=$1 rules=$2 state=$3 enslave=$4
mount -t tmpfs tmpfs /run && mkdir /run/bridgehead
mount -t sysfs sysfs /sys
# No IPv6: the veths' own router solicitations would raise the stand-in tunnel's receive counter.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip link add br110 type bridge
for pair in "eth1 lanpeer" "eth0 uplink" "vx10110 farend"; do set -- $pair; ip link add "$1" type veth peer name "$2"; ip link set "$2" up; done
for dev in br110 eth1 eth0 vx10110; do ip link set "$dev" up; done
# As at start: the bridge's one port so far without carrier (the tunnel's far end not up), so the bridge has
# none, while the segment port and the underlay NIC the helper checks have theirs.
if [ "$enslave" = no ]; then ip link set farend down; ip link set vx10110 master br110; else ip link set eth1 master br110; ip link set vx10110 master br110; fi
nft -f "$rules"
# A state or carrier follows a change a moment later: wait for it (at most 5 s).
until_is() { for _ in $(seq 100); do [ "$(cat "/sys/class/net/$1/$2" 2>/dev/null || echo none)" = "$3" ] && return 0; sleep 0.05; done; echo "$1 $2 never became $3" >&2; return 1; }
until_is eth1 operstate up; until_is eth0 operstate up
hear() { python3 -c 'import socket; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("farend", 0)); s.send(b"\\xff" * 6 + b"\\x02" + b"\\x00" * 5 + b"\\x88\\xb5" + b"x" * 46)'; }
reason() { printf '%s %s\\n' "$1" "$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["state"], r["reason"])' "$state.role")"; }
`;

/**
 * A source gateway: a FAULT from its silent tunnel, then a check that passes, then one keepalived
 * kills for running too long (its ping held by a stand-in that never answers), each followed by a
 * FAULT. Then its LAN port runs late behind its carrier, and the bridge loses its ports.
 */
const SOURCE_STEPS = `
"$helper" notify INSTANCE bh MASTER 200; echo "MASTER $(( $(date +%s) - 20 ))" >"$state.state"
"$helper" check || true; "$helper" check || true
"$helper" notify INSTANCE bh FAULT 0; reason silent
# Back and heard: the check passes, so a FAULT now has no word from it.
"$helper" notify INSTANCE bh MASTER 200; hear; "$helper" check
"$helper" notify INSTANCE bh FAULT 0; reason passed
# Not active and past the cool-down: the check pings the edge bridge. This ping never answers, and the
# check is killed as keepalived kills one that outlives its timeout.
rm -f "$state.cooldown"
stub=$(mktemp -d)
printf '#!/bin/sh\\necho $$ >%s/pid\\nexec sleep 60\\n' "$stub" >"$stub/ping"; chmod 755 "$stub/ping"
PATH="$stub:$PATH" "$helper" check & check=$!
for _ in $(seq 200); do [ -s "$stub/pid" ] && break; sleep 0.05; done
kill -TERM "$check"; kill -TERM "$(cat "$stub/pid")"; wait "$check" || true
"$helper" notify INSTANCE bh FAULT 0; reason killed
# The LAN port with carrier but not running as keepalived reads it: its state lags its carrier at start (the pair
# lab's gw1: "interface eth1 down"); set dormant here, which holds it there.
ip link set eth1 state dormant; until_is eth1 operstate dormant
"$helper" notify INSTANCE bh FAULT 0; reason lagging
ip link set eth1 state up; until_is eth1 operstate up
# The bridge without its ports: not running, though the LAN port and the underlay NIC have carrier.
ip link set eth1 nomaster; ip link set vx10110 nomaster; until_is br110 operstate down
"$helper" notify INSTANCE bh FAULT 0; reason bridge
`;

/** An edge bridge started before its bridge runs (the pair lab's start), then a FAULT once everything is up again. */
const EDGE_STEPS = `
until_is br110 operstate down
"$helper" notify INSTANCE bh FAULT 0; reason start
ip link set farend up; ip link set eth1 master br110; until_is br110 operstate up
"$helper" notify INSTANCE bh FAULT 0; reason flapped
`;

function runSteps(helper: string, table: string, stem: string, enslave: boolean, steps: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "bh-fault-reason-"));
  try {
    const file = path.join(dir, "pair.sh");
    writeFileSync(file, helper, { mode: 0o755 });
    const rules = path.join(dir, "guard.nft");
    writeFileSync(rules, renderGuardRuleset({ table, vxlan: "vx10110", mss: null, pair: true }).join("\n"));
    const script = `${DEVICES}\n${steps}`;
    const result = spawnSync("unshare", ["--net", "--mount", "bash", "-c", script, "harness", file, rules, `/run/bridgehead/${stem}`, enslave ? "yes" : "no"], { encoding: "utf8", timeout: 60_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    return result.stdout.trim().split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TOOLS = [runningAsRoot, networkNamespaces, tool("nft", "nftables"), tool("python3")];

describe("the reason a pair helper gives for FAULT", () => {
  itWithTool(TOOLS, "is the source gateway's current one: its check's newest word, never an earlier FAULT's", () => {
    expect(runSteps(sourceHelper(), "bh_contoso_t1_source", "bh-contoso-t1-source", true, SOURCE_STEPS)).toEqual([
      "silent FAULT tunnel-silent",
      // The check passed since: nothing it said before is current.
      "passed FAULT unknown",
      // Killed mid-run: it had no verdict, and says so, rather than the tunnel-silent of two FAULTs ago.
      "killed FAULT check-timeout",
      "lagging FAULT lan-down",
      "bridge FAULT bridge-down",
    ]);
  });

  itWithTool(TOOLS, "names the edge bridge's start-up FAULT: the bridge not yet running, or a link already back", () => {
    expect(runSteps(edgeHelper(), "bh_contoso_t1_avs", "bh-contoso-t1-avs", false, EDGE_STEPS)).toEqual(["start FAULT bridge-down", "flapped FAULT link-flap"]);
  });
});
