/**
 * Every platform the console writes configs for. Adding one is a file in targets/, one line
 * here, and its tests; downloads, bundles, the README's apply order and the benchmark pick it up.
 */
import { cloudInitEdgeBridgeTarget } from "./targets/cloud-init-edge-bridge";
import { ciscoIosxeTarget } from "./targets/cisco-iosxe";
import { hypervPowershellTarget } from "./targets/hyperv-powershell";
import { mikrotikRouterosTarget } from "./targets/mikrotik-routeros";
import { vyosTarget } from "./targets/vyos";
import { linuxIproute2Target } from "./targets/linux-iproute2";
import { ifupdown2Target } from "./targets/ifupdown2";
import { netplanTarget } from "./targets/netplan";
import { systemdNetworkdTarget } from "./targets/systemd-networkd";
import { strongswanTarget } from "./targets/strongswan";
import { telemetryAgentTarget } from "./targets/telemetry-agent";
import { cutoverLinuxTarget } from "./targets/cutover-linux";
import { cutoverIosxeTarget, cutoverRouterosTarget, cutoverVyosTarget } from "./targets/cutover-vendors";
import { unextendTarget } from "./targets/unextend";
import type { GatewayContext, GatewayTarget } from "./types";

export const TARGETS: readonly GatewayTarget[] = [
  // (targets are added here, one import each)
  vyosTarget,
  ciscoIosxeTarget,
  mikrotikRouterosTarget,
  hypervPowershellTarget,
  linuxIproute2Target,
  cloudInitEdgeBridgeTarget,
  systemdNetworkdTarget,
  netplanTarget,
  ifupdown2Target,
  strongswanTarget,
  telemetryAgentTarget,
  // The stretch's end (lib/domain/stretch.ts): offered from the cut-over plan on.
  cutoverLinuxTarget,
  cutoverVyosTarget,
  cutoverIosxeTarget,
  cutoverRouterosTarget,
  unextendTarget,
];

/** The roles whose files end the stretch rather than build it: the bundle README gives them their own sections. */
export const LIFECYCLE_ROLES = new Set(["cut-over", "unextend"]);

export function findTarget(id: string): GatewayTarget | undefined {
  return TARGETS.find((target) => target.id === id);
}

/** The targets that apply to this tunnel, in apply order. */
export function targetsFor(context: GatewayContext): GatewayTarget[] {
  return TARGETS.filter((target) => target.appliesTo(context)).sort((a, b) => a.applyOrder - b.applyOrder);
}
