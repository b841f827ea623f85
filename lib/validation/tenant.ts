/**
 * What an operator may type when onboarding or editing a tenant. Every value here may end up in
 * a generated gateway config, so the allow-lists are strict: no control characters anywhere,
 * slugs and names in narrow alphabets, addresses parsed by ipaddr.js.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { parseSubnetForTenant } from "@/lib/domain/cidr";
import { keysOf } from "@/lib/domain/keys-of";
import { UNDERLAY_MTU } from "@/lib/domain/limits";
import { ENCAPSULATIONS, GATEWAY_LOCATIONS, SOURCE_ENVIRONMENTS, TRANSPORTS } from "@/lib/domain/tenant-options";
import { VLAN_MAX, VLAN_MIN, VNI_MAX } from "@/lib/domain/vlan";

const slug = z
  .string()
  .trim()
  .min(3, "At least 3 characters.")
  .max(40, "At most 40 characters.")
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Lower-case letters, digits and single hyphens, e.g. contoso-prod.");

const displayName = z
  .string()
  .trim()
  .min(1, "Enter the tenant's name.")
  .max(100, "At most 100 characters.")
  .regex(/^[\p{L}\p{N} .,&'()/+-]+$/u, "Letters, digits, spaces and . , & ' ( ) / + - only.");

const contactName = z
  .string()
  .trim()
  .min(1, "Enter the contact's name.")
  .max(100, "At most 100 characters.")
  .regex(/^[\p{L}\p{M} .'-]+$/u, "Letters, spaces and . ' - only.");

const phone = z
  .string()
  .trim()
  .max(32, "At most 32 characters.")
  .regex(/^\+?[0-9 ()-]*$/, "Digits, spaces, ( ) - and a leading + only.");

export const contactSchema = z.object({
  name: contactName,
  email: z.string().trim().toLowerCase().max(254, "At most 254 characters.").email("Enter an e-mail address."),
  phone: phone.optional(),
});

const subnet = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const parsed = parseSubnetForTenant(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.cidr.canonical;
  });

/** A gateway's address on the underlay: a unicast IP the tunnel is built to. */
export const underlayAddress = z
  .string()
  .trim()
  .max(45, "Not an IP address.")
  .transform((text, ctx) => {
    // A zone id (fe80::1%eth0) names an interface on one host; it has no place in a config
    // for another, and "%" must never reach a generated file.
    if (text.includes("%") || !ipaddr.isValid(text) || (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text))) {
      ctx.addIssue({ code: "custom", message: "Enter the gateway's IPv4 or IPv6 address, e.g. 198.51.100.10." });
      return z.NEVER;
    }
    const address = ipaddr.process(text);
    const range = address.range();
    if (["unspecified", "broadcast", "multicast", "loopback", "linkLocal"].includes(range)) {
      ctx.addIssue({ code: "custom", message: `${text} is a ${range} address; the underlay needs a unicast address.` });
      return z.NEVER;
    }
    return address.toString();
  });

const underlayMtu = z.coerce
  .number({ message: "Enter the underlay MTU in bytes." })
  .int("A whole number of bytes.")
  .min(UNDERLAY_MTU.min, `At least ${UNDERLAY_MTU.min} bytes (the IPv6 minimum).`)
  .max(UNDERLAY_MTU.max, `At most ${UNDERLAY_MTU.max} bytes (jumbo frames).`);

const latencyObjective = z.coerce
  .number({ message: "Enter a latency objective in milliseconds." })
  .positive("More than 0 ms.")
  .max(1000, "At most 1000 ms.");

const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2027-03-31.")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date.");

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** The VLAN: "next" free one by default, or an ID the operator picks (checked against the pool). */
const vlanChoice = z.preprocess(
  emptyToUndefined,
  z
    .union([
      z.literal("next"),
      z.coerce.number().int("A VLAN ID is a whole number.").min(VLAN_MIN, `Between ${VLAN_MIN} and ${VLAN_MAX}.`).max(VLAN_MAX, `Between ${VLAN_MIN} and ${VLAN_MAX}.`),
    ])
    .default("next"),
);

const vniOverride = z.preprocess(
  emptyToUndefined,
  z.coerce.number().int("A VNI is a whole number.").min(1, `Between 1 and ${VNI_MAX}.`).max(VNI_MAX, `Between 1 and ${VNI_MAX}.`).optional(),
);

export const onboardTenantInput = z.object({
  privateCloudId: z.string().uuid("Choose a private cloud."),
  slug,
  displayName,
  contacts: z.array(contactSchema).min(1, "Add at least one contact.").max(5, "At most 5 contacts."),
  sourceEnvironment: z.enum(keysOf(SOURCE_ENVIRONMENTS), { message: "Choose the source environment." }),
  transport: z.enum(keysOf(TRANSPORTS), { message: "Choose the transport." }),
  encapsulation: z.enum(keysOf(ENCAPSULATIONS), { message: "Choose the encapsulation." }).default("vxlan"),
  subnet,
  gatewayLocation: z.enum(keysOf(GATEWAY_LOCATIONS), { message: "Choose where the default gateway lives." }),
  underlayMtu: underlayMtu.default(1500),
  sourceGatewayUnderlayIp: underlayAddress,
  latencyObjectiveMs: latencyObjective.default(20),
  plannedCutoverOn: z.preprocess(emptyToUndefined, isoDate.optional()),
  vlan: vlanChoice,
  vni: vniOverride,
});
export type OnboardTenantInput = z.infer<typeof onboardTenantInput>;

/** After onboarding only these may change; the rest define the segment, the VLAN and the configs. */
export const editTenantInput = z.object({
    id: z.string().uuid(),
    displayName,
    contacts: z.array(contactSchema).min(1, "Add at least one contact.").max(5, "At most 5 contacts."),
    transport: z.enum(keysOf(TRANSPORTS), { message: "Choose the transport." }),
    underlayMtu,
    sourceGatewayUnderlayIp: underlayAddress,
    latencyObjectiveMs: latencyObjective,
    plannedCutoverOn: z.preprocess(emptyToUndefined, isoDate.nullable().optional()),
  });
export type EditTenantInput = z.infer<typeof editTenantInput>;

/** Fields fixed at onboarding, with why, so an edit that tries one gets a message, not silence. */
export const IMMUTABLE_TENANT_FIELDS = {
  slug: "the slug names the tenant's segment and configs",
  privateCloudId: "the tenant's segment lives in its private cloud",
  subnet: "the stretched subnet is what the workloads use; offboard and onboard again to change it",
  gatewayLocation: "the default gateway decides how the segment is built",
  encapsulation: "the tunnels and gateway configs are built for it",
  vlan: "one tenant keeps one VLAN",
  vni: "the VNI is bound to the VLAN",
  sourceEnvironment: "it chose the gateway configs that were handed out",
} as const;

/**
 * An edit as the form and the API send it. Fixed fields are refused by name with the reason,
 * rather than silently ignored: an operator who sends a new subnet must learn it did not change.
 */
export const editTenantRequest = z
  .unknown()
  .superRefine((raw, ctx) => {
    if (!raw || typeof raw !== "object") return;
    for (const [field, why] of Object.entries(IMMUTABLE_TENANT_FIELDS)) {
      if (field in raw) ctx.addIssue({ code: "custom", path: [field], message: `Cannot change after onboarding: ${why}.` });
    }
  })
  .pipe(editTenantInput);
