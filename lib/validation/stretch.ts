/**
 * What an operator types to move a stretch along (plan, cut over, roll back, unextend) and to
 * offboard a tenant. The gateway address is checked against the tenant's subnet by the command
 * (lib/domain/stretch.ts parseGatewayAddress), which knows the subnet; the rest is checked here.
 */
import { z } from "zod";
import { INTERFACE_NAME } from "@/lib/domain/limits";

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const tenantId = z.string().uuid("Not a valid tenant id.");

/** How long a reason to override a pre-check must be: a sentence, not "ok". */
export const OVERRIDE_REASON = { min: 10, max: 500 } as const;

/**
 * Why the operator goes ahead past a warn or fail. Audited with the checks it overrode; printable
 * text only (it is shown on the timeline and in the audit trail, never put in a file).
 */
export const overrideReason = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .min(OVERRIDE_REASON.min, `Say why in at least ${OVERRIDE_REASON.min} characters: it is kept in the audit trail.`)
    .max(OVERRIDE_REASON.max, `At most ${OVERRIDE_REASON.max} characters.`)
    .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, "Plain text on one line, please.")
    .optional(),
);

const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2027-03-31.")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date.");

/**
 * When the stretch last changed stage or plan, as the operator's page read it: a step past the
 * pre-checks is refused if the plan moved since (another operator re-planned), because the
 * reason was written for the checks of the plan on that page. The API requires it, as If-Match
 * with the stretch's ETag (the same time), so a script proves which plan and stage it read.
 */
const stageChangedAt = z.preprocess(emptyToUndefined, z.string().datetime({ offset: true, message: "Not a valid time: reload the page." }).optional());

export const planCutoverInput = z.object({
  tenantId,
  gatewayAddress: z.string().trim().min(1, "Enter the gateway address the Tier-1 takes, e.g. 192.168.10.1.").max(45, "Not an IP address."),
  tier1Id: z.string().trim().min(1, "Choose the Tier-1 gateway.").max(80, "Not a Tier-1 id.").regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "Choose a Tier-1 gateway of the private cloud."),
  plannedCutoverOn: z.preprocess(emptyToUndefined, isoDate.optional()),
  sourceInterface: z.preprocess(emptyToUndefined, z.string().trim().regex(INTERFACE_NAME.pattern, INTERFACE_NAME.message).optional()),
  stageChangedAt,
});
export type PlanCutoverInput = z.infer<typeof planCutoverInput>;

export const stretchStepInput = z.object({ tenantId, reason: overrideReason, stageChangedAt });
export type StretchStepInput = z.infer<typeof stretchStepInput>;

export const cancelPlanInput = z.object({ tenantId, stageChangedAt });

/** Unextend and offboard end things for good: the operator types the tenant's slug to confirm. */
const confirmSlug = z.string().trim().min(1, "Type the tenant's slug to confirm.").max(40, "Type the tenant's slug to confirm.");

export const unextendInput = z.object({ tenantId, reason: overrideReason, confirmSlug, stageChangedAt });
export type UnextendInput = z.infer<typeof unextendInput>;

export const offboardInput = z.object({ id: tenantId, reason: overrideReason, confirmSlug });
export type OffboardInput = z.infer<typeof offboardInput>;
