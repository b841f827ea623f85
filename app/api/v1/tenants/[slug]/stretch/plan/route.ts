import { runStretchStep } from "@/lib/api/stretch-step";
import { defineRoute } from "@/lib/auth/guards";
import { planCutover } from "@/lib/commands/plan-cutover";
import { stretchPlanBody } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tenants/{slug}/stretch/plan — plan (or re-plan) the cut-over as the stretch
 * section's form does: the gateway address the Tier-1 takes, which Tier-1, the date, the source
 * interface. If-Match (the stretch's ETag) is required.
 */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) =>
  runStretchStep(request, { db, principal, slug: params.slug }, stretchPlanBody, ({ tenantId, stageChangedAt, body }) => planCutover(db, principal, { ...body, tenantId, stageChangedAt }), 200),
);
