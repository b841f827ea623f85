/**
 * Query parameters of the automation API. The console's lists fall back quietly on a bad value
 * (an old bookmark still opens); a script gets a 400 naming the parameter instead, with the same
 * filter vocabulary as the console's lists.
 */
import { z } from "zod";
import { BULK_MODES } from "@/lib/domain/bulk-rows";
import { SEGMENT_STATES, TUNNEL_STATUSES, WARNING_SEVERITIES, type WarningSeverity } from "@/lib/domain/status";
import { WARNING_KINDS, type WarningKind } from "@/lib/domain/warning-kinds";
import { auditFilterFields } from "./audit";
import { cancelPlanInput, planCutoverInput, stretchStepInput, unextendInput } from "./stretch";
import { editTenantInput } from "./tenant";

const pageLimit = z.coerce.number({ message: "A whole number from 1 to 200." }).int("A whole number from 1 to 200.").min(1, "At least 1.").max(200, "At most 200.").default(50);

const slugParam = z.string().trim().toLowerCase().max(40).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "A tenant's slug, e.g. contoso.");

export const tenantListQuery = z.object({
  q: z.string().trim().max(100, "At most 100 characters.").default(""),
  state: z.enum(["onboarding", "active", "offboarding", "offboarded", "all"]).default("all"),
  cloud: z.string().uuid("A private cloud's id.").optional(),
  tunnel: z.enum(TUNNEL_STATUSES).optional(),
  segment: z.enum(SEGMENT_STATES).optional(),
  cutover: z.enum(["past"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: pageLimit,
});

export const warningListQuery = z.object({
  severity: z.enum(WARNING_SEVERITIES as [WarningSeverity, ...WarningSeverity[]]).optional(),
  kind: z.enum(Object.keys(WARNING_KINDS) as [WarningKind, ...WarningKind[]]).optional(),
  tenant: slugParam.optional(),
  page: z.coerce.number().int().min(1, "At least 1.").max(10_000).default(1),
});

export const auditListQuery = z.object({
  tenant: slugParam.optional(),
  ...auditFilterFields,
  cursor: z.string().max(200).optional(),
  limit: pageLimit,
});

export const availableVlansQuery = z.object({ limit: z.coerce.number().int("A whole number.").min(1, "At least 1.").max(4094, "At most 4094.").default(100) });

/** PATCH: any of the editable fields; the rest keep their values. */
export const tenantPatchBody = editTenantInput.omit({ id: true }).partial();

export const uuidParam = z.string().uuid();
export const isUuid = (value: string) => uuidParam.safeParse(value).success;

export const bulkQuery = z.object({ mode: z.enum(BULK_MODES, { message: `One of ${BULK_MODES.join(", ")}.` }).default("dry-run") });

export const auditExportQuery = z.object({
  format: z.enum(["csv", "jsonl"], { message: "csv or jsonl." }),
  tenant: slugParam.optional(),
  ...auditFilterFields,
});

/**
 * The stretch steps' bodies: the console's own step schemas without what the URL and the headers
 * carry (the tenant comes from the slug; the stage the caller read from If-Match).
 */
export const stretchPlanBody = planCutoverInput.omit({ tenantId: true, stageChangedAt: true });
export const stretchCancelBody = cancelPlanInput.omit({ tenantId: true, stageChangedAt: true });
export const stretchStepBody = stretchStepInput.omit({ tenantId: true, stageChangedAt: true });
export const stretchUnextendBody = unextendInput.omit({ tenantId: true, stageChangedAt: true });
