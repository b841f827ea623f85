import { runStretchStep } from "@/lib/api/stretch-step";
import { defineRoute } from "@/lib/auth/guards";
import { startCutover } from "@/lib/commands/start-cutover";
import { stretchStepBody } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tenants/{slug}/stretch/cut-over — the cut-over: its pre-checks judged now (past a
 * warn or fail only with `reason`, audited), then Azure gives the segment its gateway on the
 * Tier-1 (202; GET …/stretch follows it). If-Match required.
 */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) =>
  runStretchStep(request, { db, principal, slug: params.slug }, stretchStepBody, ({ tenantId, stageChangedAt, body }) => startCutover(db, principal, { ...body, tenantId, stageChangedAt }), 202),
);
