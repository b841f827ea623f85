/**
 * Source-site gateway as a pair of plain bash scripts on any Linux host with iproute2: one
 * builds the VXLAN device, the tenant's bridge and the LAN port, the other removes them. The
 * AVS edge bridge runs the same commands (see cloud-init-edge-bridge.ts), so the renderer takes
 * the side as a parameter.
 *
 * Both scripts are idempotent: every device they make carries an ifalias mark, apply re-checks
 * the devices it finds instead of adding them again, and teardown deletes only marked devices.
 * That mark is what lets two tenants share one gateway and lets teardown remove "exactly what
 * apply created" even when an operator has a bridge of their own with a clashing name. An
 * untagged LAN NIC is the operator's, not ours: apply notes its MTU and up/down state in a small
 * file under /run (gone at reboot, like the devices) and teardown puts them back.
 *
 * L2TPv3 is refused with a GeneratorInputError rather than rendered as `ip l2tp` commands: no
 * kernel these scripts are tested on can run it, and an untested tunnel script is worse than none.
 *
 * Every tunnel port gets the guard (tunnel-guard.ts): storm control, BPDU filtering, no local
 * input from the tenant's VLAN, and the MSS clamp when the tunnel is short. It is an nftables
 * bridge table, not iptables: the tenant's traffic is bridged, and iptables only sees bridged
 * frames through br_netfilter, a host-wide switch that would push every other bridge on the
 * gateway through iptables too. The table is named for this tunnel end and replaced atomically,
 * so re-running apply leaves one copy of each rule, never two.
 *
 * In an active/standby pair (pair.ts) the tunnel port starts closed and keepalived, through the
 * pair helper (linux-pair.ts), opens it on the active end only: apply never brings a source
 * gateway's VXLAN device up, and re-applying hands the port back to the helper (`sync`).
 */
import { headerLines } from "../header";
import type { PairEndPlan } from "../pair";
import { renderGuardRuleset } from "../tunnel-guard";
import type { EndpointSide, GatewayContext, GatewayTarget, GeneratedFile } from "../types";
import { KEEPALIVED_BASE, PAIR_PATHS, renderPairFiles } from "./linux-pair";
import { helperFunctions, linuxFileStem, planScriptEnd, settingsBlock, type ScriptPlan, type SettingKey } from "./linux-script-plan";

export type LinuxScriptPair = {
  apply: string;
  teardown: string;
  /** The devices apply creates, for callers that describe or test them. */
  devices: { vxlan: string; bridge: string; underlay: string; lan: string; lanPort: string; nftTable: string };
  /** The end's keepalived snippet and pair helper when the tunnel is in a pair. */
  pair: { plan: PairEndPlan; keepalived: string; helper: string; helperPath: string; roleFile: string } | null;
};

export type LinuxScriptOptions = {
  /** What the host is, for the header title, e.g. "Source-site gateway, Linux iproute2". */
  title: string;
  /** How to run each script where it will live, e.g. "sudo bash bh-contoso-t1-apply.sh". */
  applyCommand: string;
  teardownCommand: string;
  /** Steps to do before running apply (e.g. the NSX-T segment profile for the edge bridge). */
  beforeApply?: string[];
  /** Steps to do after it (e.g. restarting keepalived for a pair). */
  afterApply?: string[];
  /** Steps to undo before the teardown script. */
  beforeTeardown?: string[];
};

export { linuxFileStem };

/** Step 4: check everything before changing anything, so a refusal leaves the host as it was. */
function preflightChecks(plan: ScriptPlan): string[] {
  return [
    'command -v ip >/dev/null || fail "iproute2 (the ip command) is not installed."',
    'command -v nft >/dev/null || fail "nft is needed for the tunnel guard (storm control): install the nftables package, then run me again."',
    "",
    "# Check everything before changing anything, so a refusal leaves the host as it was.",
    'exists "$UNDERLAY" || fail "no underlay NIC $UNDERLAY on this host. Set its name in Bridgehead and download the scripts again."',
    'exists "$LAN" || fail "no LAN NIC $LAN on this host. Set its name in Bridgehead and download the scripts again."',
    '[ -n "$(ip -o addr show to "$LOCAL_IP")" ] || fail "$LOCAL_IP is not an address of this host; the tunnel must start from this end\'s own underlay address."',
    '[ "$(mtu_of "$UNDERLAY")" -ge $((INNER_MTU + ENCAP_BYTES)) ] || fail "$UNDERLAY has MTU $(mtu_of "$UNDERLAY"), but VXLAN with inner MTU $INNER_MTU needs $((INNER_MTU + ENCAP_BYTES)). Raise it, or enter the real underlay MTU in Bridgehead."',
    ...(plan.tagged
      ? [
          '[ "$(mtu_of "$LAN")" -ge "$INNER_MTU" ] || fail "the trunk $LAN has MTU $(mtu_of "$LAN"), below the inner MTU $INNER_MTU of this VLAN. Raise it (this script leaves the trunk\'s own settings alone)."',
          'for dev in "$VXLAN" "$BRIDGE" "$LAN_PORT"; do',
        ]
      : [
          '[ -z "$(ip -o addr show dev "$LAN" scope global)" ] || fail "$LAN has IP addresses. An untagged LAN NIC becomes a bridge port: give the tenant a NIC of its own."',
          'master="$(master_of "$LAN")"',
          '[ -z "$master" ] || [ "$master" = "$BRIDGE" ] || fail "$LAN is already a port of $master."',
          'for dev in "$VXLAN" "$BRIDGE"; do',
        ]),
    '  if exists "$dev" && ! ours "$dev"; then fail "$dev exists but was not made by this script. Rename or remove it, then run me again."; fi',
    "done",
    'if exists "$VXLAN"; then',
    '  vxlan_details="$(ip -d -o link show dev "$VXLAN")"',
    '  for want in "vxlan id $VNI " " remote $REMOTE_IP " " local $LOCAL_IP " " dev $UNDERLAY " " dstport $VXLAN_PORT "; do',
    '    [[ "$vxlan_details" == *"$want"* ]] || fail "$VXLAN exists with other settings (wanted \'$want\'). Run the teardown script of the old configuration, then me."',
    "  done",
    "fi",
  ];
}

/** Step 5: the VXLAN device, the tenant's bridge and the LAN port. */
function deviceSteps(plan: ScriptPlan): string[] {
  return [
    "# The VXLAN device: this tenant's VNI, unicast to the other end over the underlay.",
    'if ! exists "$VXLAN"; then',
    '  ip link add "$VXLAN" type vxlan id "$VNI" local "$LOCAL_IP" remote "$REMOTE_IP" dstport "$VXLAN_PORT" dev "$UNDERLAY"',
    '  ip link set dev "$VXLAN" alias "$MARK"',
    "fi",
    'ip link set dev "$VXLAN" mtu "$INNER_MTU"',
    "",
    "# The tenant's bridge: one per VLAN, so tenants sharing this host never share a broadcast domain.",
    'if ! exists "$BRIDGE"; then',
    '  ip link add "$BRIDGE" type bridge',
    '  ip link set dev "$BRIDGE" alias "$MARK"',
    "fi",
    "# Pure L2 devices: no IPv6 link-local addresses, so the gateway sends nothing of its own into the VLAN or the tunnel.",
    'for dev in "$VXLAN" "$BRIDGE"; do sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null || true; done',
    "",
    ...(plan.tagged
      ? [
          "# The LAN side: the VLAN arrives 802.1Q-tagged on the trunk, so the port is its sub-interface.",
          'if ! exists "$LAN_PORT"; then',
          `  ip link add link "$LAN" name "$LAN_PORT" type vlan id ${plan.context.tenant.vlanId}`,
          '  ip link set dev "$LAN_PORT" alias "$MARK"',
          "fi",
        ]
      : [
          "# The LAN side: the VLAN arrives untagged, so the NIC itself is the port. Record how it was first.",
          'if [ ! -e "$STATE_FILE" ]; then',
          '  mkdir -p "$(dirname "$STATE_FILE")"',
          '  state=down; [[ "$(link_line "$LAN")" == *[\\<,]UP[,\\>]* ]] && state=up',
          '  echo "$(mtu_of "$LAN") $state" >"$STATE_FILE"',
          "fi",
        ]),
  ];
}

/**
 * Step 6: the guard first, then the ports join the bridge: a frame can only cross once storm
 * control (and, in a pair, the closed gate) is in place.
 */
function guardStep(plan: ScriptPlan): string[] {
  return [
    "",
    `# The tunnel guard: storm control, BPDU filter, no local input from the VLAN${plan.mss ? `, TCP MSS clamp (IPv4 ${plan.mss.ipv4}, IPv6 ${plan.mss.ipv6})` : ""}${plan.pair ? ", and the pair's gate, closed" : ""}.`,
    "# Declaring, deleting and re-making the table in one transaction replaces it atomically.",
    "nft -f - <<EOF",
    ...renderGuardRuleset({ table: "$NFT_TABLE", vxlan: "$VXLAN", mss: plan.mss, pair: plan.pair !== null }),
    "EOF",
  ];
}

/** Step 7: ports into the bridge, MTUs, links up (in a pair, the source end's VXLAN device is keepalived's). */
function attachStep(plan: ScriptPlan): string[] {
  const keepalivedOwnsVxlan = plan.pair !== null && plan.side === "source";
  return [
    "",
    'ip link set dev "$LAN_PORT" mtu "$INNER_MTU"',
    'ip link set dev "$LAN_PORT" master "$BRIDGE"',
    'ip link set dev "$VXLAN" master "$BRIDGE"',
    "# Set last: a bridge's MTU follows its smallest port until it is set by hand.",
    'ip link set dev "$BRIDGE" mtu "$INNER_MTU"',
    ...(plan.tagged ? ['ip link set dev "$LAN" up'] : []),
    'ip link set dev "$LAN_PORT" up',
    ...(keepalivedOwnsVxlan
      ? ["# Not $VXLAN: in the pair, keepalived brings it up on the active gateway only."]
      : ['ip link set dev "$VXLAN" up']),
    'ip link set dev "$BRIDGE" up',
  ];
}

/** Step 8 (pairs): hand the port back to the pair helper, which knows this end's role. */
function pairStep(plan: ScriptPlan): string[] {
  if (!plan.pair) return [];
  return [
    "",
    "# The guard was re-made with its gate closed: the pair helper reopens it if this end is the active one.",
    'if [ -x "$PAIR_HELPER" ]; then',
    '  "$PAIR_HELPER" sync',
    "else",
    '  echo "$MARK: the tunnel stays closed until keepalived runs with $PAIR_HELPER (see the README\'s pair section)." >&2',
    "fi",
  ];
}

function applyScript(plan: ScriptPlan, header: string[]): string[] {
  const { mss, pair } = plan;
  const keys: SettingKey[] = [
    "MARK", "VNI", "VXLAN", "BRIDGE", "UNDERLAY", "LAN", "LAN_PORT", "LOCAL_IP", "REMOTE_IP", "VXLAN_PORT", "INNER_MTU", "ENCAP_BYTES", "NFT_TABLE",
    ...(plan.tagged ? [] : (["STATE_FILE"] as const)),
    ...(pair ? (["PAIR_HELPER"] as const) : []),
  ];
  const summary = `${plan.stem}: VNI $VNI $LOCAL_IP -> $REMOTE_IP on $BRIDGE with $LAN_PORT, inner MTU $INNER_MTU${mss ? `, TCP MSS ${mss.ipv4}` : ""}, storm control on $VXLAN${pair ? `, pair member (tunnel ${pair.ordinal}, ${pair.preferred})` : ""}.`;
  return [
    "#!/usr/bin/env bash",
    ...header,
    "",
    "set -euo pipefail",
    "",
    ...settingsBlock(plan, keys),
    "",
    ...helperFunctions(plan),
    ...preflightChecks(plan),
    "",
    ...deviceSteps(plan),
    ...guardStep(plan),
    ...attachStep(plan),
    ...pairStep(plan),
    "",
    `echo "${summary}"`,
    "",
  ];
}

function teardownScript(plan: ScriptPlan, header: string[]): string[] {
  const keys: SettingKey[] = ["MARK", "VNI", "VXLAN", "BRIDGE", "NFT_TABLE", ...(plan.tagged ? (["LAN_PORT"] as const) : (["LAN", "STATE_FILE"] as const))];
  return [
    "#!/usr/bin/env bash",
    ...header,
    "",
    "set -euo pipefail",
    "",
    ...settingsBlock(plan, keys),
    "",
    ...helperFunctions(plan),
    "",
    "# The guard table is named for this tunnel end alone; drop it if a run of apply made it.",
    'if command -v nft >/dev/null && nft list table bridge "$NFT_TABLE" >/dev/null 2>&1; then',
    '  nft delete table bridge "$NFT_TABLE"',
    "fi",
    "# Deleting the bridge releases its ports; devices without our mark are someone else's.",
    `for dev in "$VXLAN"${plan.tagged ? ' "$LAN_PORT"' : ""} "$BRIDGE"; do`,
    '  if ! exists "$dev"; then continue; fi',
    '  if ours "$dev"; then ip link del dev "$dev"; else echo "$dev was not made by the apply script: left alone." >&2; fi',
    "done",
    ...(plan.tagged
      ? []
      : [
          'if [ -e "$STATE_FILE" ]; then',
          '  read -r mtu state <"$STATE_FILE"',
          '  if exists "$LAN"; then',
          '    ip link set dev "$LAN" mtu "$mtu"',
          '    if [ "$state" = down ]; then ip link set dev "$LAN" down; fi',
          "  fi",
          '  rm -f "$STATE_FILE"',
          '  rmdir "$(dirname "$STATE_FILE")" 2>/dev/null || true',
          "fi",
        ]),
    "",
    `echo "${plan.stem}: VNI $VNI removed from this host."`,
    "",
  ];
}

/** Renders the apply and teardown scripts for one end of the tunnel (and its pair files). Pure; throws GeneratorInputError. */
export function renderLinuxVxlanScripts(context: GatewayContext, side: EndpointSide, options: LinuxScriptOptions): LinuxScriptPair {
  const plan = planScriptEnd(context, side);
  const sideName = side === "source" ? "source" : "AVS";
  const header = (kind: string) =>
    headerLines(context, {
      comment: "#",
      title: `${options.title} (${kind}, ${sideName} end)`,
      apply: [...(options.beforeApply ?? []), `${options.applyCommand}   (as root; safe to run again, e.g. after a reboot)`, ...(options.afterApply ?? [])],
      undo: [...(options.beforeTeardown ?? []), `${options.teardownCommand}   (removes only what the apply script made; safe to run again)`],
    });
  const pairFiles = plan.pair
    ? renderPairFiles(context, plan.pair, { vxlan: plan.vxlan, bridge: plan.bridge, lanPort: plan.lanPort, underlay: plan.underlay, nftTable: plan.nftTable, peerIp: plan.peer.underlayIp }, header)
    : null;
  return {
    apply: applyScript(plan, header("apply script")).join("\n"),
    teardown: teardownScript(plan, header("teardown script")).join("\n"),
    devices: { vxlan: plan.vxlan, bridge: plan.bridge, underlay: plan.underlay, lan: plan.lan, lanPort: plan.lanPort, nftTable: plan.nftTable },
    pair: pairFiles && plan.pair ? { plan: plan.pair, ...pairFiles } : null,
  };
}

/** The pair's files for a Linux source gateway, in the folder of the format that asked (iproute2, networkd …). */
export function linuxPairFiles(dir: string, stem: string, pair: NonNullable<LinuxScriptPair["pair"]>): GeneratedFile[] {
  return [
    { path: `${dir}/${stem}-pair.sh`, contents: pair.helper, mode: 0o755 },
    { path: `${dir}/${stem}-keepalived.conf`, contents: pair.keepalived, mode: 0o644 },
    { path: `${dir}/keepalived.conf`, contents: KEEPALIVED_BASE, mode: 0o644 },
  ];
}

export const linuxIproute2Target: GatewayTarget = {
  id: "linux-iproute2",
  label: "Source gateway: Linux iproute2 scripts",
  role: "source-gateway",
  sides: ["source"],
  summary: "On the source-site Linux gateway, run the apply script as root; it builds the VXLAN device, the tenant bridge, the LAN port and the tunnel guard.",
  applyOrder: 20,
  appliesTo: () => true,
  generate(context) {
    const stem = linuxFileStem(context);
    const dir = "source/linux-iproute2";
    const pair = context.pair
      ? {
          beforeApply: [
            "The pair first (apt-get install keepalived arp-scan nftables):",
            `  install -D -m 755 ${stem}-pair.sh ${PAIR_PATHS.helperDir}/${stem}-pair.sh`,
            `  install -D -m 644 ${stem}-keepalived.conf ${PAIR_PATHS.keepalivedDir}/${stem}.conf`,
            "  keepalived.conf to /etc/keepalived/ if there is none (else add its global_defs options and include line to yours)",
          ],
          afterApply: ["systemctl restart keepalived   (it opens the tunnel port on the active gateway only)"],
          beforeTeardown: [`rm ${PAIR_PATHS.keepalivedDir}/${stem}.conf ${PAIR_PATHS.helperDir}/${stem}-pair.sh && systemctl reload keepalived`],
        }
      : {};
    const scripts = renderLinuxVxlanScripts(context, "source", {
      title: "Source-site gateway, Linux iproute2",
      applyCommand: `sudo bash ${stem}-apply.sh`,
      teardownCommand: `sudo bash ${stem}-teardown.sh`,
      ...pair,
    });
    return [
      { path: `${dir}/${stem}-apply.sh`, contents: scripts.apply, mode: 0o755 },
      { path: `${dir}/${stem}-teardown.sh`, contents: scripts.teardown, mode: 0o755 },
      ...(scripts.pair ? linuxPairFiles(dir, stem, scripts.pair) : []),
    ];
  },
};
