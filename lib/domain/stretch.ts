/**
 * The end of a stretch as pure rules: which stage may move to which, how a gateway address is
 * written for NSX-T, and what an NSX-T Tier-1's policy path is. The commands (lib/commands/
 * stretch-*.ts) and the provisioning job apply them; the views name the stages from
 * STRETCH_STAGE in status.ts.
 */
import ipaddr from "ipaddr.js";
import type { StretchStage } from "./status";
import type { GatewayLocation } from "./tenant-options";

/** What an operator (or the job finishing Azure's part) can do to a stretch. */
export type StretchMove = "plan" | "cancel-plan" | "cut-over" | "cut-over-done" | "roll-back" | "roll-back-done" | "unextend";

/**
 * Every move from the stage it leaves to the stage it reaches. Back at each step before the last:
 * a plan can be cancelled and a cut-over rolled back, but an unextended stretch has no tunnels to
 * go back to (a new stretch is a new tunnel, added by hand). A cut-over or rollback whose Azure
 * operation failed stays in its "-ing" stage: retried, or turned round.
 */
export const STRETCH_MOVES: Record<StretchMove, { from: readonly StretchStage[]; to: StretchStage }> = {
  plan: { from: ["extending", "cutover-planned"], to: "cutover-planned" },
  "cancel-plan": { from: ["cutover-planned"], to: "extending" },
  "cut-over": { from: ["cutover-planned"], to: "cutting-over" },
  "cut-over-done": { from: ["cutting-over"], to: "cut-over" },
  // A failed cut-over is turned round by rolling back: the gateway may be half-set in Azure.
  "roll-back": { from: ["cut-over", "cutting-over"], to: "rolling-back" },
  "roll-back-done": { from: ["rolling-back"], to: "cutover-planned" },
  unextend: { from: ["cut-over"], to: "unextended" },
};

export function canMove(stage: StretchStage, move: StretchMove): boolean {
  return STRETCH_MOVES[move].from.includes(stage);
}

/** Where the default gateway is at each stage: what the tromboning rule and the segment follow. */
export function gatewayLocationOf(stage: StretchStage): GatewayLocation {
  return stage === "cut-over" || stage === "unextended" || stage === "rolling-back" ? "avs" : "source";
}

/** The first stage of a tenant onboarded with its gateway already in AVS is "cut over": there is nothing left to move. */
export function initialStage(gatewayLocation: GatewayLocation): StretchStage {
  return gatewayLocation === "avs" ? "cut-over" : "extending";
}

/** Whether the stage has a plan (gateway address and Tier-1) the generated files and pre-checks use. */
export function hasPlan(stage: StretchStage): boolean {
  return stage !== "extending";
}

const TIER1_PREFIX = "/infra/tier-1s/";

/**
 * A Tier-1's NSX-T policy path, which is what a segment's `connectedGateway` holds: the AVS
 * 2023-03-01 examples (WorkloadNetworks_CreateSegments, _UpdateSegments) send
 * "/infra/tier-1s/<id>", and the gateways list answers each Tier-1 with that `path`.
 */
export function tier1Path(id: string): string {
  return `${TIER1_PREFIX}${id}`;
}

/** The Tier-1 id a connectedGateway names, whether written as a path or (as consoles before the fix sent it) bare. */
export function tier1IdOf(connectedGateway: string | null | undefined): string | null {
  if (!connectedGateway) return null;
  return connectedGateway.startsWith(TIER1_PREFIX) ? connectedGateway.slice(TIER1_PREFIX.length) : connectedGateway;
}

/** The subnet's first host with its prefix, the conventional gateway: 192.168.10.0/24 → 192.168.10.1/24. */
export function firstHostGateway(subnet: string): string {
  const [network, prefix] = ipaddr.parseCIDR(subnet);
  const bytes = network.toByteArray();
  bytes[bytes.length - 1]! += 1;
  return `${ipaddr.fromByteArray(bytes).toString()}/${prefix}`;
}

export type GatewayAddressResult = { ok: true; gatewayAddress: string; host: string } | { ok: false; error: string };

/**
 * A gateway address the Tier-1 can take on this subnet, written as NSX-T wants it (address and
 * the subnet's prefix, "192.168.10.1/24"). The operator types the host address ("192.168.10.1");
 * it must lie inside the subnet and be neither its network nor (IPv4) its broadcast address.
 */
export function parseGatewayAddress(text: string, subnet: string): GatewayAddressResult {
  const input = text.trim();
  if (input.includes("/")) return { ok: false, error: "Enter the gateway's address alone, e.g. 192.168.10.1; the subnet's prefix is added for you." };
  if (input.includes("%") || !ipaddr.isValid(input) || (ipaddr.IPv4.isValid(input) && !ipaddr.IPv4.isValidFourPartDecimal(input))) {
    return { ok: false, error: "Enter an IPv4 or IPv6 address, e.g. 192.168.10.1." };
  }
  const address = ipaddr.parse(input);
  const [network, prefix] = ipaddr.parseCIDR(subnet);
  if (address.kind() !== network.kind()) return { ok: false, error: `${input} is ${address.kind() === "ipv4" ? "IPv4" : "IPv6"}, but the subnet ${subnet} is not.` };
  if (!address.match(network, prefix)) return { ok: false, error: `${input} is outside the tenant's subnet ${subnet}; the gateway must be one of its hosts.` };
  const host = address.toString();
  if (host === network.toString()) return { ok: false, error: `${host} is the subnet's network address; pick a host address, e.g. ${firstHostGateway(subnet).split("/")[0]}.` };
  if (address.kind() === "ipv4" && host === ipaddr.IPv4.broadcastAddressFromCIDR(subnet).toString()) {
    return { ok: false, error: `${host} is the subnet's broadcast address; pick a host address.` };
  }
  return { ok: true, gatewayAddress: `${host}/${prefix}`, host };
}

/** The host part of an NSX-T gateway address: "192.168.10.1/24" → "192.168.10.1". */
export function gatewayHost(gatewayAddress: string): string {
  return gatewayAddress.split("/")[0]!;
}
