/**
 * Whether a tunnel's ends, as typed, can be rendered into every file the tenant needs: the one
 * check the tunnel form, its server action and the API share (through lib/commands/tunnels.ts),
 * made by running the generators themselves on the tunnel, so the input rules can never lag
 * behind what a platform refuses. Secrets are not needed to know this: stand-ins of the right
 * shape take their place, and nothing rendered here leaves this function.
 */
import type { SourcePlatform } from "@/lib/domain/tenant-options";
import { parseGatewayContext, type GatewayContextInput } from "./context";
import { findBundleGaps, renderTargets } from "./bundle";
import type { IpsecSuiteId } from "./ipsec-suites";

/** What the generators need of the tenant, as the console stores it. */
export type TenantFacts = GatewayContextInput["tenant"];

export type TunnelEndInput = {
  hostname: string;
  underlayIp: string;
  underlayInterface: string | null;
  lanInterface: string | null;
  lanTagged: boolean;
};

export type TunnelFitInput = {
  tenant: TenantFacts;
  tunnel: { ordinal: 1 | 2; name: string; sourcePlatform: SourcePlatform | null; ipsecSuite: IpsecSuiteId; source: TunnelEndInput; avs: TunnelEndInput };
  /** The tenant's other tunnel, when this one makes a pair with it. */
  partner: { ordinal: 1 | 2; name: string; sourceHostname: string; sourceUnderlayIp: string; avsHostname: string; avsUnderlayIp: string } | null;
};

/** A clash with the tenant's other tunnel is this tunnel's field to change. */
const PAIR_FIELDS: Record<string, string> = { "pair.partner.sourceUnderlayIp": "source.underlayIp", "pair.partner.avsUnderlayIp": "avs.underlayIp" };

/** The fields the tunnel form (and the API's body) has; a problem keyed otherwise is said in the message. */
export const TUNNEL_FORM_FIELDS = new Set([
  "name",
  "sourcePlatform",
  "ipsecSuite",
  ...["source", "avs"].flatMap((side) => ["hostname", "underlayIp", "underlayInterface", "lanInterface", "lanTagged"].map((field) => `${side}.${field}`)),
]);

const STAND_IN_PSK = `${"A".repeat(43)}=`;
const STAND_IN_TOKEN = `agt_${"A".repeat(43)}`;
const STAND_IN_ORIGIN = "https://bridgehead.invalid";

/**
 * Field errors keyed as the tunnel form names its fields (source.lanInterface, avs.underlayIp …),
 * or {} when every file the tenant needs renders. Each message says which platform refused and why.
 */
export function findTunnelFitProblems(input: TunnelFitInput): Record<string, string[]> {
  const end = (side: "source" | "avs", e: TunnelEndInput) => ({ side, ...e, agentToken: STAND_IN_TOKEN });
  const parsed = parseGatewayContext({
    tenant: input.tenant,
    tunnel: {
      ordinal: input.tunnel.ordinal,
      name: input.tunnel.name,
      source: end("source", input.tunnel.source),
      avs: end("avs", input.tunnel.avs),
      psk: input.tenant.transport === "ipsec-vpn" ? STAND_IN_PSK : null,
      sourcePlatform: input.tunnel.sourcePlatform,
      ipsecSuite: input.tunnel.ipsecSuite,
    },
    pair: input.partner ? { partner: input.partner } : null,
    consoleUrl: STAND_IN_ORIGIN,
  });
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => {
    const key = PAIR_FIELDS[field] ?? field.replace(/^tunnel\./, "");
    if (!(errors[key] ??= []).includes(message)) errors[key].push(message);
  };
  if (!parsed.ok) {
    for (const [field, messages] of Object.entries(parsed.errors)) for (const message of messages) add(field, message);
    return errors;
  }
  for (const gap of findBundleGaps(parsed.context, renderTargets(parsed.context))) add(gap.field, gap.message);
  return errors;
}
