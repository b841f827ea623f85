/**
 * For the vendor generators' tests: a fixture with one thing changed, run through the same
 * parseGatewayContext boundary the console uses, so a variant can never be an input the
 * console would refuse.
 */
import { gatewayContext, type GatewayContextInput } from "@/lib/gateway/context";
import { CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { GeneratorInputError, type GatewayContext, type GatewayTarget, type GeneratedFile } from "@/lib/gateway/types";

export function variant(input: GatewayContextInput, change: (copy: GatewayContextInput) => void = () => {}): GatewayContext {
  const copy = structuredClone(input);
  change(copy);
  return gatewayContext(copy);
}

/** The lines of a generated file that are commands, not comments or blank lines. */
export function commandLines(contents: string, comment: string): string[] {
  return contents.split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith(comment));
}

/** The GeneratorInputError a generator throws, so a test can check its field and message. */
export function inputError(run: () => unknown): GeneratorInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof GeneratorInputError) return error;
    throw error;
  }
  throw new Error("expected a GeneratorInputError");
}

const ipv6Ends = (input: GatewayContextInput) => {
  input.tunnel.source.underlayIp = "2001:DB8:10:0:0:0:0:10";
  input.tunnel.avs.underlayIp = "2001:db8:20::10";
};

/**
 * The tunnels every Linux source-format test (systemd-networkd, netplan, ifupdown2) runs its
 * generator on, made once here so the three formats are held to the same cases.
 */
export const LINUX_SOURCE = {
  /** IPsec on a 1500 underlay: inner MTU 1377 (MSS clamp needed), VLAN 110 tagged on eth1. */
  contoso: gatewayContext(CONTOSO_INPUT),
  /** ExpressRoute on a 9000 underlay: inner MTU 8950, VLAN 120 untagged on ens19 (underlay ens18). */
  fabrikam: gatewayContext(FABRIKAM_INPUT),
  contosoUntagged: variant(CONTOSO_INPUT, (input) => void (input.tunnel.source.lanTagged = false)),
  /** The IPv6 underlay, entered uncanonical (2001:DB8:10:0:0:0:0:10): 70 bytes of VXLAN, 93 of ESP. */
  contosoIpv6: variant(CONTOSO_INPUT, ipv6Ends),
  fabrikamIpv6: variant(FABRIKAM_INPUT, ipv6Ends),
  /** Contoso's two tunnels as an active/standby pair: tunnel 1 the primary, tunnel 2 the standby. */
  contosoPrimary: gatewayContext(CONTOSO_PAIR_INPUTS[0]),
  contosoStandby: gatewayContext(CONTOSO_PAIR_INPUTS[1]),
} as const;

/** A target's files by name (path without the folder). */
export function filesByName(target: GatewayTarget, context: GatewayContext): Map<string, GeneratedFile> {
  return new Map(target.generate(context).map((file) => [file.path.slice(file.path.indexOf("/", "source/".length) + 1), file]));
}

/** The one file of a format that is the format itself, not the guard or pair files beside it. */
export function formatFile(target: GatewayTarget, context: GatewayContext): GeneratedFile {
  const own = target.generate(context).filter((file) => !/(-guard\.(nft|service)|-pair\.sh|keepalived\.conf)$/.test(file.path));
  if (own.length !== 1) throw new Error(`${target.id} wrote ${own.length} files of its own: ${own.map((file) => file.path).join(", ")}`);
  return own[0]!;
}
