/**
 * VyOS's share of the tunnel guard and the active/standby pair (lib/gateway/pair.ts). VyOS runs
 * keepalived and nftables underneath its CLI, so it takes the same two pieces the Linux ends are
 * proven with: the guard's nftables table (storm control, BPDU filter, the pair's gate), loaded
 * from /config/scripts at every boot, and the pair helper, which VyOS's VRRP group runs as its
 * health check and transition scripts. The VRRP group itself is VyOS configuration.
 *
 * The guard here keeps the router's own stack reachable from the bridge (hostless: false): a VyOS
 * gateway may also be the subnet's router, with an address on the bridge.
 */
import { headerLines } from "../header";
import { PAIR_TIMING, planPairEnd } from "../pair";
import { guardTableName, renderGuardRuleset } from "../tunnel-guard";
import type { GatewayContext, GeneratedFile } from "../types";
import { renderPairHelper } from "./linux-pair";

export const VYOS_SCRIPTS = "/config/scripts";
const BOOTUP = `${VYOS_SCRIPTS}/vyos-postconfig-bootup.script`;

export type VyosDevices = { vxlan: string; bridge: string; lanMember: string; underlay: string };

function stemOf(context: GatewayContext) {
  return `bh-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

/** The shell steps that install the guard (and helper), before the configuration is pasted. */
export function vyosInstallSteps(context: GatewayContext): string[] {
  const stem = stemOf(context);
  // The guard loads with the pair's gate closed. VyOS starts keepalived while it loads its
  // configuration, before the boot script runs, so the active router's MASTER transition may
  // already be past: the helper's sync reopens the gate then, as every Linux format's loader does.
  const load = `nft -f ${VYOS_SCRIPTS}/${stem}-guard.nft${context.pair ? ` && ${VYOS_SCRIPTS}/${stem}-pair.sh sync` : ""}`;
  return [
    `First, as root (sudo -i), copy the guard${context.pair ? " and the pair helper" : ""} to ${VYOS_SCRIPTS} and load the guard now and at every boot:`,
    `  install -m 644 ${stem}-guard.nft ${VYOS_SCRIPTS}/`,
    ...(context.pair ? [`  install -m 755 ${stem}-pair.sh ${VYOS_SCRIPTS}/`] : []),
    `  ${load}`,
    `  grep -qxF '${load}' ${BOOTUP} || echo '${load}' >> ${BOOTUP}`,
  ];
}

export function vyosUndoSteps(context: GatewayContext): string[] {
  const stem = stemOf(context);
  return [
    `then, as root: nft delete table bridge ${guardTableName(context.tenant.slug, context.tunnel.ordinal, "source")}; rm ${VYOS_SCRIPTS}/${stem}-guard.nft${context.pair ? ` ${VYOS_SCRIPTS}/${stem}-pair.sh` : ""};`,
    `  and delete the nft line for ${stem}-guard.nft from ${BOOTUP}`,
  ];
}

/** The guard file, and in a pair the helper, for the VyOS folder. */
export function vyosGuardFiles(context: GatewayContext, dir: string, devices: VyosDevices): GeneratedFile[] {
  const stem = stemOf(context);
  const header = (what: string) =>
    headerLines(context, {
      comment: "#",
      title: `Source-site gateway, VyOS 1.4: ${what}`,
      apply: [...vyosInstallSteps(context), `then paste ${stem}.vyos in configuration mode`],
      undo: [`paste ${stem}-undo.vyos in configuration mode`, ...vyosUndoSteps(context)],
    });
  const table = guardTableName(context.tenant.slug, context.tunnel.ordinal, "source");
  const mss = context.mtu.fitsStandardFrames ? null : { ipv4: context.mtu.mss, ipv6: context.mtu.mss - 20 };
  const files: GeneratedFile[] = [
    {
      path: `${dir}/${stem}-guard.nft`,
      contents: [...header(`tunnel guard for ${devices.vxlan} (nftables)`), "", ...renderGuardRuleset({ table, vxlan: devices.vxlan, mss, pair: context.pair !== null, hostless: false }), ""].join("\n"),
      mode: 0o644,
    },
  ];
  const plan = planPairEnd(context, "source");
  if (plan) {
    files.push({
      path: `${dir}/${stem}-pair.sh`,
      contents: renderPairHelper(context, plan, { vxlan: devices.vxlan, bridge: devices.bridge, lanPort: devices.lanMember, underlay: devices.underlay, nftTable: table, peerIp: context.tunnel.avs.underlayIp }, header("pair helper (VRRP health check and transition scripts)")),
      mode: 0o755,
    });
  }
  return files;
}

/** The VRRP group: VyOS configuration-mode commands, or nothing for a tenant with one tunnel. */
export function vyosPairCommands(context: GatewayContext, devices: VyosDevices): string[] {
  const plan = planPairEnd(context, "source");
  if (!plan) return [];
  const stem = stemOf(context);
  const g = `set high-availability vrrp group ${stem}`;
  const helper = `${VYOS_SCRIPTS}/${stem}-pair.sh`;
  return [
    `# The active/standby pair: VRRP group ${plan.vrid} on ${devices.bridge} with tunnel ${plan.partner.name}'s gateway ${plan.partner.sourceHostname}.`,
    `# This is tunnel ${plan.ordinal}, the ${plan.preferred}: priority ${plan.priority} (the other: ${plan.partnerPriority}). The pair helper opens the`,
    "# tunnel port on the active gateway only and keeps it in the running while its edge bridge answers through the tunnel.",
    "# VRRPv3 on every member of the pair, whatever its platform; VyOS advertises every second, its shortest interval.",
    "set high-availability vrrp global-parameters version 3",
    `${g} interface ${devices.bridge}`,
    `${g} vrid ${plan.vrid}`,
    `${g} priority ${plan.priority}`,
    `${g} advertise-interval 1`,
    ...(plan.preferred === "primary" ? [`# The hold-down: back from a failure, the primary waits this long before it takes the traffic back.`, `${g} preempt-delay ${plan.holdDownSeconds}`] : []),
    `# Link-local addresses: the pair's gateways need no address of the tenant's.`,
    `${g} hello-source-address ${plan.ownAddress}`,
    `${g} address ${plan.virtualAddress}/32`,
    `${g} track interface ${devices.lanMember}`,
    `${g} track interface ${devices.underlay}`,
    `${g} health-check script ${helper}`,
    `${g} health-check interval ${PAIR_TIMING.checkIntervalSeconds}`,
    `${g} health-check failure-count ${PAIR_TIMING.fall}`,
    ...(["master", "backup", "fault", "stop"] as const).map((state) => `${g} transition-script ${state} '${helper} notify INSTANCE ${stem} ${state.toUpperCase()}'`),
  ];
}
