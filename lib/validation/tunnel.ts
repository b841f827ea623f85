/**
 * What an operator types to add a tunnel: both ends' host names, underlay addresses and NICs.
 * Each value ends up in generated gateway configs, so the allow-lists are the generators' own
 * (lib/gateway/context.ts); a value they refuse is refused here, by field, before anything is stored.
 */
import { z } from "zod";
import { HOST_NAME, INTERFACE_NAME, linuxInterfaceNameProblem } from "@/lib/domain/limits";
import { keysOf } from "@/lib/domain/keys-of";
import { SOURCE_PLATFORMS } from "@/lib/domain/tenant-options";
import { SLUG } from "@/lib/gateway/context";
import { DEFAULT_IPSEC_SUITE, IPSEC_SUITE_IDS } from "@/lib/gateway/ipsec-suites";
import { underlayAddress } from "./tenant";

const emptyToNull = (value: unknown) => (typeof value === "string" && value.trim() === "" ? null : value);
const checkbox = z.preprocess((value) => value === true || value === "on" || value === "true", z.boolean());

const interfaceName = z.preprocess(
  emptyToNull,
  z
    .string()
    .trim()
    .regex(INTERFACE_NAME.pattern, `${INTERFACE_NAME.message} Leave empty for the platform's default.`)
    .nullable(),
);

const endpointInput = z.object({
  hostname: z.string().trim().toLowerCase().regex(HOST_NAME.pattern, HOST_NAME.message),
  underlayIp: underlayAddress,
  underlayInterface: interfaceName.default(null),
  lanInterface: interfaceName.default(null),
  lanTagged: checkbox.default(false),
});

/**
 * The AVS end is always the Linux edge bridge: a name Linux refuses would leave the tenant without
 * its edge-bridge configuration, so it is refused here, before anything is stored. What else a
 * platform refuses (a VLAN sub-interface too long for the tenant's VLAN, a source NIC no source
 * platform can take) needs the tenant, and lib/commands/tunnels.ts checks it with the generators.
 */
const linuxInterfaceName = interfaceName.superRefine((name, ctx) => {
  const problem = name === null ? null : linuxInterfaceNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem} The AVS edge bridge is a Linux VM: give its NIC's Linux name, or leave empty for eth0/eth1.` });
});

const avsEndpointInput = endpointInput.extend({
  underlayInterface: linuxInterfaceName.default(null),
  lanInterface: linuxInterfaceName.default(null),
});

/** A tunnel's own fields: what the API's POST …/tenants/{slug}/tunnels takes (the tenant is in its URL). */
const tunnelFields = z.object({
  name: z.string().trim().toLowerCase().max(20, "At most 20 characters.").regex(SLUG, "Lower-case letters, digits and single hyphens, e.g. primary."),
  /** Empty: not said, and the bundle needs any one source platform's files. */
  /** For an IPsec VPN tenant: the suite both ends use (ignored over ExpressRoute and SD-WAN). */
  ipsecSuite: z.preprocess(emptyToNull, z.enum(IPSEC_SUITE_IDS, { message: "Choose one of the listed IPsec suites." }).nullable())
    .transform((suite) => suite ?? DEFAULT_IPSEC_SUITE)
    .default(DEFAULT_IPSEC_SUITE),
  sourcePlatform: z.preprocess(emptyToNull, z.enum(keysOf(SOURCE_PLATFORMS), { message: "Choose one of the listed platforms, or leave empty." }).nullable()).default(null),
  source: endpointInput,
  avs: avsEndpointInput,
});

function checkEnds(input: z.infer<typeof tunnelFields>, ctx: z.RefinementCtx) {
  const v4 = (ip: string) => !ip.includes(":");
  if (v4(input.source.underlayIp) !== v4(input.avs.underlayIp)) {
    ctx.addIssue({ code: "custom", path: ["avs", "underlayIp"], message: "Use the same address family (IPv4 or IPv6) at both ends." });
  } else if (input.source.underlayIp === input.avs.underlayIp) {
    ctx.addIssue({ code: "custom", path: ["avs", "underlayIp"], message: "The two ends need different underlay addresses." });
  }
}

export const tunnelBody = tunnelFields.superRefine(checkEnds);

export const addTunnelInput = tunnelFields.extend({ tenantId: z.string().uuid() }).superRefine(checkEnds);
export type AddTunnelInput = z.infer<typeof addTunnelInput>;
