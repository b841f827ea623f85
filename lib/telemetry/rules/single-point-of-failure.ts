/**
 * Single point of failure. One tunnel is a choice many tenants make knowingly, so it is info;
 * two tunnels that share a gateway host or leave through the same underlay next hop look
 * redundant and are not, which is worth a warning because people rely on the second tunnel.
 */
import { tenantCondition } from "./samples";
import type { Condition, RuleInput } from "./types";

export function singlePointOfFailureRule(input: RuleInput): Condition[] {
  const { tunnelCount, sharedGatewayHost, sharedUnderlayFirstHop } = input.redundancy;
  if (tunnelCount < 2) {
    return [
      tenantCondition(
        input,
        "single-point-of-failure",
        "info",
        `${input.tenant.slug} has one tunnel: a failure of either gateway, the underlay path or the AVS edge bridge cuts the ` +
          "stretched network. Add a second tunnel on a separate gateway host and, ideally, a separate underlay path: the two become an " +
          "active/standby pair (the source gateways elect the active tunnel by VRRP, the edge bridges follow, storm control guards " +
          "every tunnel port), so download and apply both tunnels' configs again once the second is added.",
        { tunnelCount, sharedGatewayHost: null, sharedUnderlayFirstHop: null },
      ),
    ];
  }
  const shared: string[] = [];
  if (sharedGatewayHost) shared.push(`run on the same gateway host ${sharedGatewayHost}`);
  if (sharedUnderlayFirstHop) shared.push(`leave through the same underlay next hop ${sharedUnderlayFirstHop}`);
  if (shared.length === 0) return [];
  return [
    tenantCondition(
      input,
      "single-point-of-failure",
      "warning",
      `Both of ${input.tenant.slug}'s tunnels ${shared.join(" and ")}: one failure there takes both down, so the second ` +
        "tunnel is not the redundancy it appears to be. Put the tunnels on separate hosts and, where possible, separate " +
        "underlay links or providers.",
      { tunnelCount, sharedGatewayHost, sharedUnderlayFirstHop },
    ),
  ];
}
