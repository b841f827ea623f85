/**
 * A Linux tunnel end's part of the active/standby pair (lib/gateway/pair.ts): the keepalived
 * configuration and the pair helper script keepalived runs. The same two files serve every Linux
 * source-gateway format (iproute2, systemd-networkd, netplan, ifupdown2) and the AVS edge bridge.
 *
 * The helper is what turns keepalived's state into the data path, and back:
 * - `notify` (keepalived's notify script): MASTER opens this end's tunnel port, anything else
 *   closes it. On a source gateway the port is the VXLAN device (link down) and the guard's gate
 *   (tunnel-guard.ts), two independent locks; on an edge bridge the VXLAN device must stay up to
 *   hear its source gateway, so the gate alone closes it, and an active edge bridge opens it only
 *   while it hears its source gateway (else a tunnel that fails one way would look healthy to
 *   the gateway, which hears the edge bridge's advertisements). Each transition is written to a small
 *   JSON role file the telemetry agent reports, with when and why.
 * - `check` (a keepalived track script, every second): does this end hear the other end through
 *   the tunnel? It reads the VXLAN device's receive counter: an active source gateway's
 *   advertisements cross its tunnel five times a second, and so do a leading edge bridge's.
 *   A source gateway that is not active cannot hear its tunnel (its port is down), so it pings
 *   its edge bridge's underlay address instead, which tells whether it could take over.
 * - `standby` / `resume`: "fail over now" and its undo, through keepalived's track file.
 * - `sync`: puts the port back as the role file says, after an apply re-made the guard table.
 *
 * After a takeover the new active end makes the switches on both sides relearn where every host
 * is: it flushes its bridge's table and sweeps the subnet with ARP probes (sender address
 * 0.0.0.0, so no host's cache changes) from a MAC of its own that no bridge knows. Each host
 * answers to that unknown MAC, so the answer is flooded, crosses the new path, and teaches the
 * far side's switches the host's new way in; arp-scan sends the probes.
 */
import { PAIR_TIMING, SWEEP_PPS, type PairEndPlan } from "../pair";
import type { GatewayContext } from "../types";

/** Where the helper is installed and where it keeps its state; keepalived's files name these paths. */
export const PAIR_PATHS = {
  helperDir: "/usr/local/lib/bridgehead",
  stateDir: "/run/bridgehead",
  keepalivedDir: "/etc/keepalived/conf.d",
} as const;

export type PairDevices = { vxlan: string; bridge: string; lanPort: string; underlay: string; nftTable: string; peerIp: string };

export type PairFiles = { keepalived: string; helper: string; helperPath: string; roleFile: string; instance: string };

export function pairNames(context: GatewayContext, plan: PairEndPlan) {
  const stem = `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
  const instance = `bh_${context.tenant.slug.replaceAll("-", "_")}_t${context.tunnel.ordinal}_${plan.side}`;
  const state = `${PAIR_PATHS.stateDir}/${stem}-${plan.side}`;
  return {
    stem,
    instance,
    helperPath: `${PAIR_PATHS.helperDir}/${stem}-pair.sh`,
    keepalivedPath: `${PAIR_PATHS.keepalivedDir}/${stem}.conf`,
    roleFile: `${state}.role`,
    forceFile: `${state}.force`,
  };
}

/** The keepalived top-level file for a host that has none: the options the pair's snippets need. */
export const KEEPALIVED_BASE = [
  "# keepalived for Bridgehead's tunnel pairs. If this host already has /etc/keepalived/keepalived.conf,",
  "# add the two global_defs options and the include line to it instead of replacing it.",
  "global_defs {",
  "  # Scripts run as root must not be writable by anyone else; keepalived checks.",
  "  enable_script_security",
  "  # The tenant bridges may be made after keepalived starts (an apply script, a late networkd).",
  "  dynamic_interfaces",
  "}",
  `include ${PAIR_PATHS.keepalivedDir}/*.conf`,
  "",
].join("\n");

export function renderKeepalivedSnippet(context: GatewayContext, plan: PairEndPlan, devices: PairDevices, header: string[]): string {
  const names = pairNames(context, plan);
  const t = PAIR_TIMING;
  const source = plan.side === "source";
  return [
    ...header,
    "#",
    `# VRRP group ${plan.vrid} on ${devices.bridge}: ${source ? "the two source gateways on the tenant's LAN" : "the two edge bridges on the NSX-T segment"}.`,
    `# This end: priority ${plan.priority} (tunnel ${plan.ordinal}, the pair's ${plan.preferred}); the other: ${plan.partnerPriority} (tunnel ${plan.partner.ordinal}).`,
    ...(source
      ? [`# It stays in the running while it hears its edge bridge through the tunnel, its LAN port ${devices.lanPort} and its underlay NIC ${devices.underlay} are up.`]
      : [
          `# Each edge bridge gains ${plan.hearingBonus} while it hears its source gateway through the tunnel, so the one whose gateway is`,
          `# active wins at once; it stays in the running while the segment port ${devices.lanPort} and the underlay NIC ${devices.underlay} are up.`,
        ]),
    "",
    `vrrp_script ${names.instance}_check {`,
    `  script "${names.helperPath} check"`,
    `  interval ${t.checkIntervalSeconds}`,
    "  timeout 3",
    `  fall ${t.fall}`,
    `  rise ${source ? t.rise : t.edgeRise}`,
    "  user root",
    "}",
    "",
    ...(source
      ? [
          `# Fail over now: ${names.helperPath} standby (writes -254 here); undo: ... resume.`,
          `track_file ${names.instance}_force {`,
          `  file "${names.forceFile}"`,
          "  weight 1",
          "  init_file 0",
          "}",
          "",
        ]
      : []),
    `vrrp_instance ${names.instance} {`,
    "  # Never MASTER at start: a gateway that boots must first hear whether the other is active.",
    "  state BACKUP",
    `  interface ${devices.bridge}`,
    `  virtual_router_id ${plan.vrid}`,
    "  version 3",
    `  priority ${plan.priority}`,
    `  advert_int ${t.advertIntervalMs / 1000}`,
    ...(source && plan.preferred === "primary"
      ? [`  # The hold-down: back from a failure, the primary waits this long, healthy, before it takes the traffic back.`, `  preempt_delay ${plan.holdDownSeconds}`]
      : []),
    "  # A link-local source: the gateway has no address on the tenant's VLAN and needs none.",
    `  mcast_src_ip ${plan.ownAddress}`,
    "  track_interface {",
    `    ${devices.lanPort}`,
    `    ${devices.underlay}`,
    "  }",
    "  track_script {",
    source ? `    ${names.instance}_check` : `    ${names.instance}_check weight ${plan.hearingBonus}`,
    "  }",
    ...(source ? ["  track_file {", `    ${names.instance}_force`, "  }"] : []),
    "  # One gratuitous ARP for it on taking over, not keepalived's default ten: nobody uses the address.",
    "  garp_master_repeat 1",
    "  garp_master_delay 0",
    "  # VRRPv3 needs one address and both members must list the same; the guard table keeps it unreachable.",
    "  virtual_ipaddress {",
    `    ${plan.virtualAddress}/32 dev ${devices.bridge}`,
    "  }",
    `  notify "${names.helperPath} notify" root`,
    "}",
    "",
  ].join("\n");
}

/** The pair helper for one end: bash, values allow-listed by context.ts, every expansion quoted. */
export function renderPairHelper(context: GatewayContext, plan: PairEndPlan, devices: PairDevices, header: string[]): string {
  const names = pairNames(context, plan);
  const t = PAIR_TIMING;
  const source = plan.side === "source";
  const settings = [
    `SIDE=${plan.side}`,
    `TUNNEL=${context.tunnel.ordinal}`,
    `STEM="${names.stem}"`,
    `VXLAN="${devices.vxlan}"`,
    `BRIDGE="${devices.bridge}"`,
    `LAN_PORT="${devices.lanPort}"`,
    `UNDERLAY="${devices.underlay}"`,
    ...(source ? [`PEER="${devices.peerIp}"`] : []),
    `NFT_TABLE="${devices.nftTable}"`,
    `SWEEP_MAC="${plan.sweep.mac}"`,
    `SWEEP_SUBNET="${plan.sweep.subnet ?? ""}"`,
    `STATE="${PAIR_PATHS.stateDir}/${names.stem}-${plan.side}"`,
    ...(source ? [`GRACE=${t.takeoverGraceSeconds}`, `COOLDOWN=${t.silentCooldownSeconds}`] : []),
  ];
  const gate = source
    ? [
        "open_port() {",
        '  ip link set dev "$VXLAN" up',
        '  nft flush chain bridge "$NFT_TABLE" gate || say "no guard table $NFT_TABLE: run the apply step again"',
        "}",
        "close_port() {",
        "  close_gate",
        '  ip link set dev "$VXLAN" down 2>/dev/null || true',
        "}",
      ]
    : [
        "# The VXLAN device stays up: it is how this end hears its source gateway. The gate alone closes the port.",
        "open_port() {",
        '  nft flush chain bridge "$NFT_TABLE" gate || say "no guard table $NFT_TABLE: run the apply step again"',
        "}",
        "close_port() {",
        "  close_gate",
        "}",
        "# Open: the gate chain holds no drop rule (no table at all counts as closed: there is nothing to open).",
        'gate_open() { local rules; rules=$(nft list chain bridge "$NFT_TABLE" gate 2>/dev/null) || return 1; [[ "$rules" != *drop* ]]; }',
        "# Heard at the last check (see check below): only then may an active end open its port.",
        'hears_gateway() { [ "$(cat "$STATE.misses" 2>/dev/null || echo 1)" = 0 ]; }',
        'open_and_sweep() { open_port; touch "$STATE.swept"; sweep_in_background; }',
      ];
  const check = source
    ? [
        "# Active: hear the edge bridge through the tunnel (after GRACE seconds for it to take over).",
        "# Not active: the port is down, so reach the edge bridge over the underlay instead.",
        "check() {",
        "  local rx previous now state since",
        '  rx=$(cat "/sys/class/net/$VXLAN/statistics/rx_packets" 2>/dev/null || echo 0)',
        '  previous=$(cat "$STATE.rx" 2>/dev/null || echo -1)',
        '  echo "$rx" >"$STATE.rx"',
        "  now=$(date +%s)",
        '  read -r state since 2>/dev/null <"$STATE.state" || { state=NONE; since=$now; }',
        '  if [ "$state" = MASTER ]; then',
        '    if [ "$previous" -ge 0 ] && [ "$rx" -gt "$previous" ]; then',
        "      # The edge bridge answers: it has taken over, so this is the moment to sweep.",
        '      if [ ! -e "$STATE.swept" ]; then touch "$STATE.swept"; sweep_in_background; fi',
        "      return 0",
        "    fi",
        '    [ $((now - since)) -lt "$GRACE" ] && return 0',
        '    echo tunnel-silent >"$STATE.why"',
        "    return 1",
        "  fi",
        '  if [ "$(cat "$STATE.cooldown" 2>/dev/null || echo 0)" -gt "$now" ]; then',
        '    echo tunnel-silent >"$STATE.why"',
        "    return 1",
        "  fi",
        '  if ping -n -q -c 1 -W 1 "$PEER" >/dev/null 2>&1; then return 0; fi',
        '  echo peer-unreachable >"$STATE.why"',
        "  return 1",
        "}",
      ]
    : [
        "# Hear the source gateway through the tunnel: while it is active its advertisements cross five times a second.",
        "# Not hearing it does not fault this end, it only lowers its priority (keepalived's weight); but an active",
        "# end keeps its port open only while it hears its gateway. Otherwise a tunnel that fails one way (the gateway's",
        "# frames lost, this end's still arriving) would go on carrying this end's advertisements to the gateway, which",
        "# would take them for a working tunnel and never hand the traffic to the other one.",
        "check() {",
        "  local rx previous current misses",
        '  rx=$(cat "/sys/class/net/$VXLAN/statistics/rx_packets" 2>/dev/null || echo 0)',
        '  previous=$(cat "$STATE.rx" 2>/dev/null || echo -1)',
        '  echo "$rx" >"$STATE.rx"',
        '  read -r current _ 2>/dev/null <"$STATE.state" || current=NONE',
        '  if [ "$previous" -ge 0 ] && [ "$rx" -gt "$previous" ]; then',
        '    echo 0 >"$STATE.misses"',
        '    if [ "$current" = MASTER ] && ! gate_open; then open_and_sweep; fi',
        "    return 0",
        "  fi",
        '  misses=$(( $(cat "$STATE.misses" 2>/dev/null || echo 0) + 1 ))',
        '  echo "$misses" >"$STATE.misses"',
        `  if [ "$misses" -ge ${t.fall} ] && gate_open; then`,
        '    say "no word from the source gateway through the tunnel: port closed until it is heard again"',
        '    close_gate; rm -f "$STATE.swept"',
        "  fi",
        "  return 1",
        "}",
      ];
  const faultReason = [
    "# Why keepalived put this end in FAULT: an operator, a link it watches (the bridge is the election's own; LINK_DOWN",
    "# was read first thing, see the end), or the track script's last word.",
    "fault_reason() {",
    ...(source ? ['  if [ "$(cat "$STATE.force" 2>/dev/null || echo 0)" -le -254 ]; then echo forced; return; fi'] : []),
    '  [ -n "$LINK_DOWN" ] || find_link_down',
    '  if [ -n "$LINK_DOWN" ]; then echo "$LINK_DOWN"; return; fi',
    ...(source
      ? ["  # The check's current word (see check below); none: its last run passed.", '  cat "$STATE.why" 2>/dev/null || echo unknown']
      : ["  # The check only weighs, it never faults: a link keepalived watches was down when it looked and is up again.", "  echo link-flap"]),
    "}",
  ];
  const lines = [
    "#!/usr/bin/env bash",
    ...header,
    "#",
    "# Commands:",
    "#   notify TYPE NAME STATE PRIORITY   keepalived's notify script (opens or closes this end's tunnel port)",
    "#   check                             keepalived's track script (does this end hear the other through the tunnel?)",
    ...(source
      ? ["#   standby                           fail over now: hand the traffic to the other tunnel", "#   resume                            undo standby (the primary takes the traffic back after its hold-down)"]
      : []),
    "#   status                            this end's role, since when and why",
    "#   sync                              put the tunnel port back as the role says (after the apply step ran again)",
    "",
    "set -euo pipefail",
    "",
    ...settings,
    "",
    `say() { logger -t bridgehead-pair "$STEM $SIDE: $*" 2>/dev/null || echo "$STEM $SIDE: $*" >&2; }`,
    "# Up as keepalived sees it (IFF_RUNNING: operational state up or unknown), which follows the carrier up to a second late",
    "# (a bridge's follows its ports'): at start keepalived often finds the just-made links down. Builtins only: read early.",
    'link_up() {',
    '  local carrier=0 state=down',
    '  read -r carrier 2>/dev/null <"/sys/class/net/$1/carrier" || true',
    '  read -r state 2>/dev/null <"/sys/class/net/$1/operstate" || true',
    '  [ "$carrier" = 1 ] && { [ "$state" = up ] || [ "$state" = unknown ]; }',
    '}',
    "# The first link keepalived watches that is down, as a reason word in LINK_DOWN (empty: all are up).",
    "find_link_down() {",
    `  if ! link_up "$LAN_PORT"; then LINK_DOWN=${source ? "lan-down" : "segment-down"}; elif ! link_up "$UNDERLAY"; then LINK_DOWN=underlay-down; elif ! link_up "$BRIDGE"; then LINK_DOWN=bridge-down; else LINK_DOWN=""; fi`,
    "}",
    "",
    "close_gate() {",
    '  nft -f - <<EOF || say "could not close the gate: no guard table $NFT_TABLE; run the apply step again"',
    "flush chain bridge $NFT_TABLE gate",
    'add rule bridge $NFT_TABLE gate iifname "$VXLAN" drop',
    'add rule bridge $NFT_TABLE gate oifname "$VXLAN" drop',
    "EOF",
    "}",
    ...gate,
    "",
    "# The ARP sweep (see the header of pair.sh's generator): every host answers an unknown MAC, and the",
    "# answers, flooded, teach the other side's switches the new way to each host.",
    "sweep() {",
    '  [ -n "$SWEEP_SUBNET" ] || return 0',
    '  if ! command -v arp-scan >/dev/null; then say "arp-scan is not installed: hosts are relearned from their own traffic only"; return 0; fi',
    `  arp-scan --interface="$LAN_PORT" --srcaddr="$SWEEP_MAC" --arpsha="$SWEEP_MAC" --arpspa=0.0.0.0 --retry=1 --timeout=50 --interval=${Math.round(1000 / SWEEP_PPS)} --quiet --plain "$SWEEP_SUBNET" >/dev/null 2>&1 || say "the ARP sweep of $SWEEP_SUBNET failed"`,
    "}",
    "# Without the helper's lock (fd 9): the sweep runs on for seconds after the helper exits, and a FAULT",
    "# notify waiting for that lock would close its port only after it.",
    'sweep_in_background() { sweep </dev/null >/dev/null 2>&1 9>&- & disown; }',
    "",
    ...check,
    "",
    ...faultReason,
    "",
    "# One JSON object for the telemetry agent: role, keepalived's state, since when and why.",
    "write_role() {",
    '  local role=$1 state=$2 reason=$3 now',
    "  now=$(date +%s)",
    '  echo "$state $now" >"$STATE.state"',
    '  printf \'{"role":"%s","state":"%s","since":"%s","reason":"%s","tunnel":%s,"side":"%s"}\\n\' \\',
    '    "$role" "$state" "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)" "$reason" "$TUNNEL" "$SIDE" >"$STATE.role.tmp"',
    '  chmod 644 "$STATE.role.tmp"',
    '  mv "$STATE.role.tmp" "$STATE.role"',
    '  echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $state $role $reason" >>"$STATE.log"',
    '  say "$state: $role ($reason)"',
    "}",
    "",
    "# keepalived starts one notify per transition, in the transitions' order, but does not wait for one to end",
    "# before it starts the next: they race for the lock, and a FAULT started before a BACKUP can win it second",
    "# (at boot keepalived sees the bridge down for a moment: FAULT, then BACKUP). Applied last, the stale one",
    "# would leave the role, the port and the state the check reads wrong until the next transition. So each",
    "# notify carries when keepalived started it (boot, start tick, pid: a later start is a later transition),",
    "# and one started before the last applied is dropped. Within one 10 ms tick the pids decide, counted across",
    "# the pid counter's wrap: two forks in one tick are never half the pid space apart.",
    "started_at() {",
    "  local stat fields",
    "  stat=$(</proc/$$/stat)",
    "  # The fields after the command name, which is in parentheses and may hold spaces: the start tick is the 22nd.",
    '  read -r -a fields <<<"${stat##*) }"',
    '  echo "$(</proc/sys/kernel/random/boot_id) ${fields[19]} $$"',
    "}",
    "superseded() {",
    "  local boot tick pid last_boot last_tick last_pid pid_max behind",
    '  read -r boot tick pid <<<"$1"',
    '  read -r last_boot last_tick last_pid 2>/dev/null <"$STATE.notified" || return 1',
    '  [ "$boot" = "$last_boot" ] || return 1',
    '  [ "$tick" -lt "$last_tick" ] && return 0',
    '  [ "$tick" -eq "$last_tick" ] || return 1',
    "  pid_max=$(</proc/sys/kernel/pid_max)",
    "  behind=$(( (last_pid - pid + pid_max) % pid_max ))",
    '  [ "$behind" -ge 1 ] && [ "$behind" -lt $(( pid_max / 2 )) ]',
    "}",
    "",
    "notify() {",
    '  local state=${3:-} reason started',
    "  started=$(started_at)",
    '  if superseded "$started"; then say "a late $state notification from keepalived, started before the last one applied: ignored"; return 0; fi',
    '  echo "$started" >"$STATE.notified"',
    '  if [ -e "$STATE.role" ]; then reason=elected; else reason=startup; fi',
    '  case "$state" in',
    "    MASTER)",
    ...(source ? ["      open_port"] : []),
    '      rm -f "$STATE.swept"',
    "      # Entries learned while this end stood by may point the wrong way now.",
    '      ip link set dev "$BRIDGE" type bridge fdb_flush 2>/dev/null || true',
    '      write_role active MASTER "$reason"',
    ...(source ? [] : ["      # Open now if it hears its source gateway, else at the first check that does.", "      if hears_gateway; then open_and_sweep; fi"]),
    "      ;;",
    "    BACKUP)",
    "      close_port",
    '      [ "$reason" = startup ] || reason=peer-active',
    '      write_role standby BACKUP "$reason"',
    "      ;;",
    "    FAULT)",
    "      close_port",
    "      reason=$(fault_reason)",
    ...(source
      ? ['      [ "$reason" = tunnel-silent ] && echo $(($(date +%s) + COOLDOWN)) >"$STATE.cooldown"', '      write_role fault FAULT "$reason"']
      : ['      write_role fault FAULT "$reason"']),
    "      ;;",
    "    *)",
    "      close_port",
    '      write_role fault STOP stopped',
    "      ;;",
    "  esac",
    "}",
    "",
    ...(source
      ? [
          "force() {",
          '  echo "$1" >"$STATE.force.tmp" && mv "$STATE.force.tmp" "$STATE.force"',
          "}",
          "",
        ]
      : []),
    "# A FAULT's links are read before anything else (the lock may wait): what keepalived saw down may be up in a moment.",
    'LINK_DOWN=""',
    'if [ "${1:-}" = notify ] && [ "${4:-}" = FAULT ]; then find_link_down; fi',
    'mkdir -p "$(dirname "$STATE")"',
    "# keepalived may run notify and check at once: one at a time.",
    'exec 9>"$STATE.lock"',
    "flock 9",
    "# Without an argument it is the check: VyOS's health check runs its script that way.",
    'case "${1:-check}" in',
    '  notify) shift; notify "$@" ;;',
    ...(source
      ? [
          "  # A FAULT's word from the check is its newest run's: check-timeout while it runs (what stays if keepalived kills it), its verdict, or none.",
          '  check) echo check-timeout >"$STATE.why"; check; rm -f "$STATE.why" ;;',
          '  standby) force -254; echo "$STEM: this end is forced to stand by; the other tunnel takes the traffic within seconds. Undo: $0 resume" ;;',
          '  resume) force 0; echo "$STEM: standby lifted; the primary takes the traffic back after its hold-down" ;;',
        ]
      : ["  check) check ;;"]),
    '  status) cat "$STATE.role" 2>/dev/null || echo "$STEM $SIDE: no role yet (is keepalived running?)" ;;',
    `  sync) read -r current _ 2>/dev/null <"$STATE.state" || current=NONE; if [ "$current" = MASTER ]${source ? "" : " && hears_gateway"}; then open_port; else close_port; fi ;;`,
    `  *) echo "usage: $0 notify|check|${source ? "standby|resume|" : ""}status|sync" >&2; exit 2 ;;`,
    "esac",
    "",
  ];
  return lines.join("\n");
}

export function renderPairFiles(context: GatewayContext, plan: PairEndPlan, devices: PairDevices, header: (what: string) => string[]): PairFiles {
  const names = pairNames(context, plan);
  return {
    keepalived: renderKeepalivedSnippet(context, plan, devices, header("keepalived configuration")),
    helper: renderPairHelper(context, plan, devices, header("pair helper")),
    helperPath: names.helperPath,
    roleFile: names.roleFile,
    instance: names.instance,
  };
}
