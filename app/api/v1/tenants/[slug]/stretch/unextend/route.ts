import { runStretchStep } from "@/lib/api/stretch-step";
import { defineRoute } from "@/lib/auth/guards";
import { unextendStretch } from "@/lib/commands/unextend-stretch";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";
import { stretchUnextendBody } from "@/lib/validation/api";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tenants/{slug}/stretch/unextend — end the stretch: after its pre-checks (past
 * them only with `reason`) and `confirmSlug` (the tenant's slug, as the form asks to type), the
 * tunnels and their agent tokens are retired; the segment stays routed. Teardown files: GET
 * …/teardown. If-Match required.
 */
export const POST = defineRoute<{ slug: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) => {
  const config = readConfig();
  return runStretchStep(
    request,
    { db, principal, slug: params.slug },
    stretchUnextendBody,
    ({ tenantId, stageChangedAt, body }) => unextendStretch(db, principal, { ...body, tenantId, stageChangedAt }, { secretsKey: getSecretsKey(config), consoleUrl: config.publicUrl }),
    200,
  );
});
