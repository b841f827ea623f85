import { runStretchStep } from "@/lib/api/stretch-step";
import { defineRoute } from "@/lib/auth/guards";
import { rollBackCutover } from "@/lib/commands/start-cutover";
import { stretchStepBody } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tenants/{slug}/stretch/roll-back — back to the source: Azure takes the gateway
 * off the segment (202), then the source router takes the address back with the restore file.
 * No pre-check (it is the way back); a `reason` is kept if given. If-Match required.
 */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) =>
  runStretchStep(request, { db, principal, slug: params.slug }, stretchStepBody, ({ tenantId, stageChangedAt, body }) => rollBackCutover(db, principal, { ...body, tenantId, stageChangedAt }), 202),
);
