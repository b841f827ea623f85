import { runStretchStep } from "@/lib/api/stretch-step";
import { defineRoute } from "@/lib/auth/guards";
import { cancelCutoverPlan } from "@/lib/commands/plan-cutover";
import { stretchCancelBody } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/** POST /api/v1/tenants/{slug}/stretch/cancel-plan — drop the plan; the stretch is extending again. If-Match required. */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) =>
  runStretchStep(request, { db, principal, slug: params.slug }, stretchCancelBody, ({ tenantId, stageChangedAt }) => cancelCutoverPlan(db, principal, tenantId, new Date(), stageChangedAt), 200),
);
