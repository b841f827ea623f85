/**
 * The first steps of the Linux iproute2 scripts (linux-iproute2.ts): one end's names, checked
 * once, and the settings block and helpers both scripts start with.
 */
import { ends, linuxNames } from "../header";
import { planPairEnd, type PairEndPlan } from "../pair";
import { guardTableName } from "../tunnel-guard";
import { GeneratorInputError, type EndpointSide, type GatewayContext, type GatewayEndpoint } from "../types";
import { pairNames } from "./linux-pair";
import { DEFAULT_LAN, DEFAULT_UNDERLAY, IPV6_EXTRA_HEADER, LINUX_IFNAME_MAX, linuxInterfaceName } from "./linux-source-gateway";

/** The file stem shared by every Linux file of one tunnel end: bh-<slug>-t<ordinal>. */
export function linuxFileStem(context: GatewayContext): string {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

/** Everything the steps below need about one end, checked once. */
export type ScriptPlan = {
  context: GatewayContext;
  side: EndpointSide;
  local: GatewayEndpoint;
  peer: GatewayEndpoint;
  underlay: string;
  lan: string;
  lanPort: string;
  tagged: boolean;
  vxlan: string;
  bridge: string;
  stem: string;
  nftTable: string;
  mss: { ipv4: number; ipv6: number } | null;
  pair: PairEndPlan | null;
};

/** Step 1: the end's names, refusing what Linux or this script cannot take. */
export function planScriptEnd(context: GatewayContext, side: EndpointSide): ScriptPlan {
  const { tenant, mtu } = context;
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
  return {
    context,
    side,
    local,
    peer,
    underlay,
    lan,
    lanPort,
    tagged: local.lanTagged,
    vxlan: names.vxlan,
    bridge: names.bridge,
    stem: linuxFileStem(context),
    nftTable: guardTableName(tenant.slug, context.tunnel.ordinal, side),
    mss: mtu.fitsStandardFrames ? null : { ipv4: mtu.mss, ipv6: mtu.mss - IPV6_EXTRA_HEADER },
    pair: planPairEnd(context, side),
  };
}

export type SettingKey =
  | "MARK" | "VNI" | "VXLAN" | "BRIDGE" | "UNDERLAY" | "LAN" | "LAN_PORT" | "LOCAL_IP" | "REMOTE_IP"
  | "VXLAN_PORT" | "INNER_MTU" | "ENCAP_BYTES" | "NFT_TABLE" | "STATE_FILE" | "PAIR_HELPER";

/**
 * Step 2: the settings block. Values are allow-listed (slug, numbers, canonical IPs, interface
 * names), so they can sit in double quotes as they are; the scripts still quote every
 * expansion. Each script declares only the settings it uses (shellcheck flags the others).
 */
export function settingsBlock(plan: ScriptPlan, keys: SettingKey[]): string[] {
  const { context, side } = plan;
  const value: Record<SettingKey, string> = {
    MARK: `"bridgehead:${context.tenant.slug}:t${context.tunnel.ordinal}:${side}"`,
    VNI: `${context.tenant.vni}`,
    VXLAN: `"${plan.vxlan}"`,
    BRIDGE: `"${plan.bridge}"`,
    UNDERLAY: `"${plan.underlay}"`,
    LAN: `"${plan.lan}"`,
    LAN_PORT: `"${plan.lanPort}"`,
    LOCAL_IP: `"${plan.local.underlayIp}"`,
    REMOTE_IP: `"${plan.peer.underlayIp}"`,
    VXLAN_PORT: `${context.vxlanPort}`,
    INNER_MTU: `${context.mtu.innerMtu}`,
    ENCAP_BYTES: `${context.mtu.encapsulationBytes}`,
    NFT_TABLE: `"${plan.nftTable}"`,
    STATE_FILE: `"\${BRIDGEHEAD_STATE_DIR:-/run/bridgehead}/${plan.stem}-${side}.lan"`,
    PAIR_HELPER: plan.pair ? `"${pairNames(context, plan.pair).helperPath}"` : '""',
  };
  return [
    ...keys.map((key) => `${key}=${value[key]}`),
    ...(keys.includes("STATE_FILE") ? ["# The untagged LAN NIC is not ours: apply records its MTU and up/down state in STATE_FILE, teardown puts them back."] : []),
  ];
}

/** Step 3: the helpers both scripts share. */
export function helperFunctions(plan: ScriptPlan): string[] {
  return [
    `fail() { echo "${plan.stem} $(basename "$0"): $*" >&2; exit 1; }`,
    'exists() { ip link show dev "$1" >/dev/null 2>&1; }',
    'link_line() { ip -o link show dev "$1"; }',
    "# Our devices carry the mark as their alias, which `ip -o link` prints last.",
    'ours() { [[ "$(link_line "$1")" == *" alias $MARK" ]]; }',
    "mtu_of() { sed -n 's/.* mtu \\([0-9]*\\) .*/\\1/p' <<<\"$(link_line \"$1\")\"; }",
    "master_of() { sed -n 's/.* master \\([^ ]*\\) .*/\\1/p' <<<\"$(link_line \"$1\")\"; }",
    '[ "$(id -u)" -eq 0 ] || fail "run me as root (sudo)."',
  ];
}

