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
 * TCP MSS is clamped with nftables in the bridge family, not iptables: the tenant's traffic is
 * bridged, and iptables only sees bridged frames through br_netfilter, a host-wide switch
 * (bridge-nf-call-iptables) that would push every other bridge on the gateway through iptables
 * too. An nftables bridge table hooks bridged frames directly, is one named object per tunnel
 * end, and is replaced atomically, so re-running apply leaves one rule, never two.
 */
import { ends, headerLines, linuxNames } from "../header";
import { GeneratorInputError, type EndpointSide, type GatewayContext, type GatewayTarget } from "../types";

import { DEFAULT_LAN, DEFAULT_UNDERLAY, IPV6_EXTRA_HEADER, LINUX_IFNAME_MAX, linuxInterfaceName } from "./linux-source-gateway";

export type LinuxScriptPair = {
  apply: string;
  teardown: string;
  /** The devices apply creates, for callers that describe or test them. */
  devices: { vxlan: string; bridge: string; underlay: string; lan: string; lanPort: string; nftTable: string | null };
};

export type LinuxScriptOptions = {
  /** What the host is, for the header title, e.g. "Source-site gateway, Linux iproute2". */
  title: string;
  /** How to run each script where it will live, e.g. "sudo bash bh-contoso-t1-apply.sh". */
  applyCommand: string;
  teardownCommand: string;
  /** Steps to do before running apply (e.g. the NSX-T segment profile for the edge bridge). */
  beforeApply?: string[];
};

/** The file stem shared by every Linux file of one tunnel end: bh-<slug>-t<ordinal>. */
export function linuxFileStem(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}


/** Renders the apply and teardown scripts for one end of the tunnel. Pure; throws GeneratorInputError. */
export function renderLinuxVxlanScripts(context: GatewayContext, side: EndpointSide, options: LinuxScriptOptions): LinuxScriptPair {
  const { tenant, mtu, vxlanPort } = context;
  if (tenant.encapsulation !== "vxlan") {
    throw new GeneratorInputError(
      "tenant.encapsulation",
      `The Linux iproute2 scripts build VXLAN tunnels only, and this tenant uses ${tenant.encapsulation.toUpperCase()}. Bridgehead generates no L2TPv3 configs for any platform yet (this kernel-level tunnel cannot be tested here); switch the tenant to VXLAN, or configure L2TPv3 by hand.`,
    );
  }
  const { local, peer } = ends(context, side);
  const field = `tunnel.${side}`;
  const underlay = linuxInterfaceName(local.underlayInterface ?? DEFAULT_UNDERLAY, `${field}.underlayInterface`, "underlay NIC");
  const lan = linuxInterfaceName(local.lanInterface ?? DEFAULT_LAN, `${field}.lanInterface`, "LAN NIC");
  const names = linuxNames(context);
  const lanPort = local.lanTagged ? names.lanVlan(lan) : lan;
  if (lanPort.length > LINUX_IFNAME_MAX) {
    throw new GeneratorInputError(
      `${field}.lanInterface`,
      `The VLAN sub-interface "${lanPort}" would be ${lanPort.length} characters; Linux allows ${LINUX_IFNAME_MAX}. Use a LAN NIC name of at most ${LINUX_IFNAME_MAX - 1 - String(tenant.vlanId).length} characters.`,
    );
  }
  if (!local.lanTagged && lan === underlay) {
    throw new GeneratorInputError(
      `${field}.lanInterface`,
      `The LAN NIC and the underlay NIC are both "${lan}". An untagged LAN NIC becomes a bridge port and loses its addresses: give the tenant its own NIC, or mark the VLAN as tagged.`,
    );
  }

  const stem = linuxFileStem(context);
  const clamp = !mtu.fitsStandardFrames;
  const nftTable = `bh_${tenant.slug.replaceAll("-", "_")}_t${context.tunnel.ordinal}_${side}`;
  const header = (kind: string) =>
    headerLines(context, {
      comment: "#",
      title: `${options.title} (${kind} script, ${side === "source" ? "source" : "AVS"} end)`,
      apply: [...(options.beforeApply ?? []), `${options.applyCommand}   (as root; safe to run again, e.g. after a reboot)`],
      undo: [`${options.teardownCommand}   (removes only what the apply script made; safe to run again)`],
    });

  // Values are allow-listed (slug, numbers, canonical IPs, interface names), so they can sit in
  // double quotes as they are; the scripts still quote every expansion.
  // Each script declares only the settings it uses (shellcheck flags the others).
  const setting = {
    MARK: `"bridgehead:${tenant.slug}:t${context.tunnel.ordinal}:${side}"`,
    VNI: `${tenant.vni}`,
    VXLAN: `"${names.vxlan}"`,
    BRIDGE: `"${names.bridge}"`,
    UNDERLAY: `"${underlay}"`,
    LAN: `"${lan}"`,
    LAN_PORT: `"${lanPort}"`,
    LOCAL_IP: `"${local.underlayIp}"`,
    REMOTE_IP: `"${peer.underlayIp}"`,
    VXLAN_PORT: `${vxlanPort}`,
    INNER_MTU: `${mtu.innerMtu}`,
    ENCAP_BYTES: `${mtu.encapsulationBytes}`,
    NFT_TABLE: `"${nftTable}"`,
    STATE_FILE: `"\${BRIDGEHEAD_STATE_DIR:-/run/bridgehead}/${stem}-${side}.lan"`,
  };
  const settings = (keys: (keyof typeof setting)[]) => [
    ...keys.map((key) => `${key}=${setting[key]}`),
    ...(keys.includes("STATE_FILE") ? ["# The untagged LAN NIC is not ours: apply records its MTU and up/down state in STATE_FILE, teardown puts them back."] : []),
  ];
  const applySettings = settings([
    "MARK", "VNI", "VXLAN", "BRIDGE", "UNDERLAY", "LAN", "LAN_PORT", "LOCAL_IP", "REMOTE_IP", "VXLAN_PORT", "INNER_MTU", "ENCAP_BYTES",
    ...(clamp ? (["NFT_TABLE"] as const) : []),
    ...(local.lanTagged ? [] : (["STATE_FILE"] as const)),
  ]);
  const teardownSettings = settings([
    "MARK", "VNI", "VXLAN", "BRIDGE", "NFT_TABLE",
    ...(local.lanTagged ? (["LAN_PORT"] as const) : (["LAN", "STATE_FILE"] as const)),
  ]);
  const helpers = [
    `fail() { echo "${stem} $(basename "$0"): $*" >&2; exit 1; }`,
    'exists() { ip link show dev "$1" >/dev/null 2>&1; }',
    'link_line() { ip -o link show dev "$1"; }',
    '# Our devices carry the mark as their alias, which `ip -o link` prints last.',
    'ours() { [[ "$(link_line "$1")" == *" alias $MARK" ]]; }',
    "mtu_of() { sed -n 's/.* mtu \\([0-9]*\\) .*/\\1/p' <<<\"$(link_line \"$1\")\"; }",
    "master_of() { sed -n 's/.* master \\([^ ]*\\) .*/\\1/p' <<<\"$(link_line \"$1\")\"; }",
    '[ "$(id -u)" -eq 0 ] || fail "run me as root (sudo)."',
  ];

  const apply = [
    "#!/usr/bin/env bash",
    ...header("apply"),
    "",
    "set -euo pipefail",
    "",
    ...applySettings,
    "",
    ...helpers,
    'command -v ip >/dev/null || fail "iproute2 (the ip command) is not installed."',
    ...(clamp ? ['command -v nft >/dev/null || fail "nft is needed to clamp TCP MSS: install the nftables package, then run me again."'] : []),
    "",
    "# Check everything before changing anything, so a refusal leaves the host as it was.",
    'exists "$UNDERLAY" || fail "no underlay NIC $UNDERLAY on this host. Set its name in Bridgehead and download the scripts again."',
    'exists "$LAN" || fail "no LAN NIC $LAN on this host. Set its name in Bridgehead and download the scripts again."',
    '[ -n "$(ip -o addr show to "$LOCAL_IP")" ] || fail "$LOCAL_IP is not an address of this host; the tunnel must start from this end\'s own underlay address."',
    '[ "$(mtu_of "$UNDERLAY")" -ge $((INNER_MTU + ENCAP_BYTES)) ] || fail "$UNDERLAY has MTU $(mtu_of "$UNDERLAY"), but VXLAN with inner MTU $INNER_MTU needs $((INNER_MTU + ENCAP_BYTES)). Raise it, or enter the real underlay MTU in Bridgehead."',
    ...(local.lanTagged
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
    "",
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
    "",
    ...(local.lanTagged
      ? [
          "# The LAN side: the VLAN arrives 802.1Q-tagged on the trunk, so the port is its sub-interface.",
          'if ! exists "$LAN_PORT"; then',
          `  ip link add link "$LAN" name "$LAN_PORT" type vlan id ${tenant.vlanId}`,
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
    'ip link set dev "$LAN_PORT" mtu "$INNER_MTU"',
    'ip link set dev "$LAN_PORT" master "$BRIDGE"',
    'ip link set dev "$VXLAN" master "$BRIDGE"',
    "# Set last: a bridge's MTU follows its smallest port until it is set by hand.",
    'ip link set dev "$BRIDGE" mtu "$INNER_MTU"',
    ...(local.lanTagged ? ['ip link set dev "$LAN" up'] : []),
    'ip link set dev "$LAN_PORT" up',
    'ip link set dev "$VXLAN" up',
    'ip link set dev "$BRIDGE" up',
    ...(clamp
      ? [
          "",
          `# The inner MTU is below 1500: clamp TCP MSS on SYNs crossing the tunnel, both directions (IPv4 ${mtu.mss}, IPv6 ${mtu.mss - IPV6_EXTRA_HEADER}).`,
          "# Declaring, deleting and re-making the table in one transaction replaces it atomically.",
          "nft -f - <<EOF",
          "table bridge $NFT_TABLE",
          "delete table bridge $NFT_TABLE",
          "table bridge $NFT_TABLE {",
          "  chain forward {",
          "    type filter hook forward priority 0; policy accept;",
          ...["iifname", "oifname"].flatMap((direction) => [
            `    ${direction} "$VXLAN" ether type ip tcp flags & (syn | rst) == syn tcp option maxseg size > ${mtu.mss} tcp option maxseg size set ${mtu.mss}`,
            `    ${direction} "$VXLAN" ether type ip6 tcp flags & (syn | rst) == syn tcp option maxseg size > ${mtu.mss - IPV6_EXTRA_HEADER} tcp option maxseg size set ${mtu.mss - IPV6_EXTRA_HEADER}`,
          ]),
          "  }",
          "}",
          "EOF",
        ]
      : []),
    "",
    `echo "${stem}: VNI $VNI $LOCAL_IP -> $REMOTE_IP on $BRIDGE with $LAN_PORT, inner MTU $INNER_MTU${clamp ? `, TCP MSS ${mtu.mss}` : ""}."`,
    "",
  ];

  const teardown = [
    "#!/usr/bin/env bash",
    ...header("teardown"),
    "",
    "set -euo pipefail",
    "",
    ...teardownSettings,
    "",
    ...helpers,
    "",
    "# The MSS clamp table is named for this tunnel end alone; drop it if a run of apply made it.",
    'if command -v nft >/dev/null && nft list table bridge "$NFT_TABLE" >/dev/null 2>&1; then',
    '  nft delete table bridge "$NFT_TABLE"',
    "fi",
    "# Deleting the bridge releases its ports; devices without our mark are someone else's.",
    `for dev in "$VXLAN"${local.lanTagged ? ' "$LAN_PORT"' : ""} "$BRIDGE"; do`,
    '  if ! exists "$dev"; then continue; fi',
    '  if ours "$dev"; then ip link del dev "$dev"; else echo "$dev was not made by the apply script: left alone." >&2; fi',
    "done",
    ...(local.lanTagged
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
    `echo "${stem}: VNI $VNI removed from this host."`,
    "",
  ];

  return {
    apply: apply.join("\n"),
    teardown: teardown.join("\n"),
    devices: { vxlan: names.vxlan, bridge: names.bridge, underlay, lan, lanPort, nftTable: clamp ? nftTable : null },
  };
}

export const linuxIproute2Target: GatewayTarget = {
  id: "linux-iproute2",
  label: "Source gateway: Linux iproute2 scripts",
  role: "source-gateway",
  sides: ["source"],
  summary: "On the source-site Linux gateway, run the apply script as root; it builds the VXLAN device, the tenant bridge and the LAN port.",
  applyOrder: 20,
  appliesTo: () => true,
  generate(context) {
    const stem = linuxFileStem(context);
    const dir = "source/linux-iproute2";
    const scripts = renderLinuxVxlanScripts(context, "source", {
      title: "Source-site gateway, Linux iproute2",
      applyCommand: `sudo bash ${stem}-apply.sh`,
      teardownCommand: `sudo bash ${stem}-teardown.sh`,
    });
    return [
      { path: `${dir}/${stem}-apply.sh`, contents: scripts.apply, mode: 0o755 },
      { path: `${dir}/${stem}-teardown.sh`, contents: scripts.teardown, mode: 0o755 },
    ];
  },
};
