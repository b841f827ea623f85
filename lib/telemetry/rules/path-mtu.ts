/**
 * Path MTU: each agent sends a don't-fragment probe sized for the tunnel's outer packets at the
 * tenant MTU. When those fail in a row while the tunnel otherwise passes traffic, something on
 * the underlay has a smaller MTU than the tunnel needs: small packets (pings, ARP, TCP
 * handshakes) cross, full-size frames are silently dropped, and applications hang mid-transfer.
 * That is why it is critical: it looks like "the network works" to everyone who tests with ping.
 */
import { type Side, SIDE_NAME, SIDES } from "@/lib/domain/tenant-options";
import { recentSamples, trailingRun, tunnelCondition } from "./samples";
import { type Condition, type RuleInput } from "./types";

export function pathMtuRule(input: RuleInput): Condition[] {
  const needed = input.thresholds.dfFailuresToOpen;
  const failing: { side: Side; consecutive: number; bytes: number | null }[] = [];
  for (const side of SIDES) {
    // A probe lost along with everything else (100 % loss) says nothing about the MTU.
    const probes = recentSamples(input, side).filter(
      (s) => s.dfProbeOk !== null && s.dfProbeOk !== undefined && !(typeof s.lossPct === "number" && s.lossPct >= 100),
    );
    const run = trailingRun(probes, (s) => (s.dfProbeOk ? 0 : 1), (v) => v === 1);
    if (run.length < needed) continue;
    const last = probes[probes.length - 1];
    failing.push({ side, consecutive: run.length, bytes: last?.dfProbeBytes ?? null });
  }
  if (failing.length === 0) return [];
  const bytes = failing.map((f) => f.bytes).find((b) => b !== null) ?? null;
  const who = failing.map((f) => `the ${SIDE_NAME[f.side]} (${f.consecutive} in a row)`).join(" and ");
  const espHint =
    input.tenant.transport === "ipsec-vpn"
      ? " Over an IPsec VPN, remember ESP adds up to 73 bytes per packet on top of the encapsulation."
      : "";
  const message =
    `Don't-fragment probes${bytes !== null ? ` of ${bytes} bytes` : ""} (a full-size tunnel packet: the tenant MTU plus the encapsulation) are failing from ${who} ` +
    "while smaller packets get through: the underlay path's MTU is below what the tunnel needs, so full-size frames " +
    "are dropped and large transfers stall. Find the hop with the smaller MTU (a PPPoE or GRE link, another VPN, a " +
    "firewall) and raise it, or lower the workloads' MTU and clamp TCP MSS on both gateways to the tenant's MTU budget." +
    espHint;
  return [
    tunnelCondition(input, "path-mtu", "critical", message, {
      probeBytes: bytes,
      failuresNeeded: needed,
      sides: Object.fromEntries(failing.map((f) => [f.side, { consecutive: f.consecutive, probeBytes: f.bytes }])),
    }),
  ];
}
