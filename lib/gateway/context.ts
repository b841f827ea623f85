/**
 * The boundary every generator sits behind: a GatewayContext is only ever made by
 * parseGatewayContext, which applies strict allow-lists to each value that can reach a generated
 * file. Nothing here escapes anything; values that could break out of a line, a quote or a
 * stanza (newlines, quotes, semicolons, `$(…)`, backticks, Unicode separators) are refused with
 * a message naming the field.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { parseSubnetForTenant } from "@/lib/domain/cidr";
import { keysOf } from "@/lib/domain/keys-of";
import { HOST_NAME, INTERFACE_NAME, UNDERLAY_MTU } from "@/lib/domain/limits";
import { computeMtuBudget } from "@/lib/domain/mtu";
import { STRETCH_STAGES } from "@/lib/domain/status";
import { parseGatewayAddress } from "@/lib/domain/stretch";
import { ENCAPSULATIONS, GATEWAY_LOCATIONS, type Side, SOURCE_ENVIRONMENTS, SOURCE_PLATFORMS, TRANSPORTS } from "@/lib/domain/tenant-options";
import { VLAN_MAX, VLAN_MIN, VNI_MAX } from "@/lib/domain/vlan";
import { DEFAULT_IPSEC_SUITE, IPSEC_SUITE_IDS } from "./ipsec-suites";
import type { GatewayContext } from "./types";

export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Same alphabet as the tenant form: letters, digits, spaces and . , & ' ( ) / + - (comments only). */
export const DISPLAY_NAME = /^[\p{L}\p{N} .,&'()/+-]{1,100}$/u;
export const PSK = /^[A-Za-z0-9+/]{43}=$/;
export const AGENT_TOKEN = /^agt_[A-Za-z0-9_-]{43}$/;
export const CONSOLE_URL = /^https:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?$/;
export const SEGMENT_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const unicastAddress = z.string().transform((text, ctx) => {
  if (text.includes("%") || !ipaddr.isValid(text) || (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text))) {
    ctx.addIssue({ code: "custom", message: "Not an IPv4 or IPv6 address." });
    return z.NEVER;
  }
  const address = ipaddr.process(text);
  if (["unspecified", "broadcast", "multicast", "loopback", "linkLocal"].includes(address.range())) {
    ctx.addIssue({ code: "custom", message: `A ${address.range()} address cannot carry a tunnel.` });
    return z.NEVER;
  }
  return address.toString();
});

const endpoint = (side: Side) =>
  z
    .object({
      side: z.literal(side),
      hostname: z.string().regex(HOST_NAME.pattern, HOST_NAME.message),
      underlayIp: unicastAddress,
      underlayInterface: z.string().regex(INTERFACE_NAME.pattern, INTERFACE_NAME.message).nullable(),
      lanInterface: z.string().regex(INTERFACE_NAME.pattern, INTERFACE_NAME.message).nullable(),
      lanTagged: z.boolean(),
      agentToken: z.string().regex(AGENT_TOKEN, "Not an agent token (agt_ and 43 URL-safe characters).").nullable(),
    })
    .strict();

/** A recovered primary waits this long before it takes the traffic back; see PairContext. */
export const DEFAULT_HOLD_DOWN_SECONDS = 60;

const pairInput = z
  .object({
    partner: z
      .object({
        ordinal: z.union([z.literal(1), z.literal(2)]),
        name: z.string().max(20, "At most 20 characters.").regex(SLUG, "Lower-case letters, digits and single hyphens."),
        sourceHostname: z.string().regex(HOST_NAME.pattern, HOST_NAME.message),
        sourceUnderlayIp: unicastAddress,
        avsHostname: z.string().regex(HOST_NAME.pattern, HOST_NAME.message),
        avsUnderlayIp: unicastAddress,
      })
      .strict(),
    // keepalived's preempt_delay takes 0–1000 s; below 5 s a flapping link would still flap the pair.
    holdDownSeconds: z.number().int().min(5).max(1000).default(DEFAULT_HOLD_DOWN_SECONDS),
  })
  .strict();

const stretchInput = z
  .object({
    stage: z.enum(STRETCH_STAGES),
    gatewayAddress: z.string().max(50),
    tier1Id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, "A Tier-1 id: letters, digits, _ . -."),
    sourceInterface: z.string().regex(INTERFACE_NAME.pattern, INTERFACE_NAME.message).nullable(),
  })
  .strict();

export const gatewayContextInput = z
  .object({
    tenant: z
      .object({
        slug: z.string().max(40, "At most 40 characters.").regex(SLUG, "Lower-case letters, digits and single hyphens."),
        displayName: z.string().regex(DISPLAY_NAME, "Letters, digits, spaces and . , & ' ( ) / + - only, at most 100."),
        vlanId: z.number().int().min(VLAN_MIN).max(VLAN_MAX),
        vni: z.number().int().min(1).max(VNI_MAX),
        subnet: z.string().transform((text, ctx) => {
          const parsed = parseSubnetForTenant(text);
          if (!parsed.ok) {
            ctx.addIssue({ code: "custom", message: parsed.error });
            return z.NEVER;
          }
          return parsed.cidr.canonical;
        }),
        gatewayLocation: z.enum(keysOf(GATEWAY_LOCATIONS)),
        transport: z.enum(keysOf(TRANSPORTS)),
        encapsulation: z.enum(keysOf(ENCAPSULATIONS)),
        sourceEnvironment: z.enum(keysOf(SOURCE_ENVIRONMENTS)),
        segmentName: z.string().regex(SEGMENT_NAME, "Letters, digits, _ and - only."),
        underlayMtu: z.number().int().min(UNDERLAY_MTU.min).max(UNDERLAY_MTU.max),
      })
      .strict(),
    tunnel: z
      .object({
        ordinal: z.union([z.literal(1), z.literal(2)]),
        name: z.string().max(20, "At most 20 characters.").regex(SLUG, "Lower-case letters, digits and single hyphens."),
        source: endpoint("source"),
        avs: endpoint("avs"),
        psk: z.string().regex(PSK, "Not a 32-byte base64 pre-shared key.").nullable(),
        ipsecSuite: z.enum(IPSEC_SUITE_IDS).default(DEFAULT_IPSEC_SUITE),
        sourcePlatform: z.enum(keysOf(SOURCE_PLATFORMS)).nullable().default(null),
      })
      .strict(),
    pair: pairInput.nullable().default(null),
    stretch: stretchInput.nullable().default(null),
    consoleUrl: z.string().max(300).regex(CONSOLE_URL, "The console's https:// origin, with no path."),
    vxlanPort: z.number().int().min(1).max(65535).default(4789),
  })
  .strict()
  .superRefine((input, ctx) => {
    const family = (ip: string) => (ipaddr.IPv4.isValid(ip) ? "ipv4" : "ipv6");
    if (family(input.tunnel.source.underlayIp) !== family(input.tunnel.avs.underlayIp)) {
      ctx.addIssue({ code: "custom", path: ["tunnel", "avs", "underlayIp"], message: "Both ends need underlay addresses of the same family (IPv4 or IPv6)." });
    }
    if (input.tunnel.source.underlayIp === input.tunnel.avs.underlayIp) {
      ctx.addIssue({ code: "custom", path: ["tunnel", "avs", "underlayIp"], message: "The two ends cannot share one underlay address." });
    }
    if (input.pair) {
      const { partner } = input.pair;
      if (partner.ordinal === input.tunnel.ordinal) {
        ctx.addIssue({ code: "custom", path: ["pair", "partner", "ordinal"], message: "The partner is the tenant's other tunnel: its number must differ from this one's." });
      }
      if (partner.sourceUnderlayIp === input.tunnel.source.underlayIp) {
        ctx.addIssue({ code: "custom", path: ["pair", "partner", "sourceUnderlayIp"], message: "The two tunnels of a pair need two source gateways; both start from one underlay address here." });
      }
      if (partner.avsUnderlayIp === input.tunnel.avs.underlayIp) {
        ctx.addIssue({ code: "custom", path: ["pair", "partner", "avsUnderlayIp"], message: "The two tunnels of a pair need two AVS edge bridges; both end at one underlay address here." });
      }
    }
    if (input.stretch) {
      // The gateway address reaches the cut-over files as a value: it must be one of the subnet's hosts, written canonically.
      const host = input.stretch.gatewayAddress.split("/")[0] ?? "";
      const parsed = parseGatewayAddress(host, input.tenant.subnet);
      if (!parsed.ok || parsed.gatewayAddress !== input.stretch.gatewayAddress) {
        ctx.addIssue({ code: "custom", path: ["stretch", "gatewayAddress"], message: parsed.ok ? `Write it as ${parsed.gatewayAddress}.` : parsed.error });
      }
    }
    if (input.tenant.transport === "ipsec-vpn" && !input.tunnel.psk) {
      ctx.addIssue({ code: "custom", path: ["tunnel", "psk"], message: "An IPsec VPN tunnel needs its pre-shared key." });
    }
  });

export type GatewayContextInput = z.input<typeof gatewayContextInput>;

export type ContextResult = { ok: true; context: GatewayContext } | { ok: false; errors: Record<string, string[]> };

export function parseGatewayContext(raw: unknown): ContextResult {
  const parsed = gatewayContextInput.safeParse(raw);
  if (!parsed.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (errors[issue.path.join(".") || "(input)"] ??= []).push(issue.message);
    return { ok: false, errors };
  }
  const { underlayMtu, ...tenant } = parsed.data.tenant;
  const underlayFamily = ipaddr.IPv4.isValid(parsed.data.tunnel.source.underlayIp) ? "ipv4" : "ipv6";
  return {
    ok: true,
    context: {
      tenant,
      tunnel: parsed.data.tunnel,
      pair: parsed.data.pair,
      stretch: parsed.data.stretch,
      consoleUrl: parsed.data.consoleUrl,
      vxlanPort: parsed.data.vxlanPort,
      mtu: computeMtuBudget({ underlayMtu, encapsulation: tenant.encapsulation, transport: tenant.transport, underlayFamily }),
    },
  };
}

/** parseGatewayContext for callers that hold trusted data: throws with every field's error. */
export function gatewayContext(raw: unknown): GatewayContext {
  const result = parseGatewayContext(raw);
  if (!result.ok) {
    throw new Error(`Invalid gateway input: ${Object.entries(result.errors).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; ")}`);
  }
  return result.context;
}
