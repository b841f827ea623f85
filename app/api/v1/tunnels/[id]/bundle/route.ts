import { defineRoute } from "@/lib/auth/guards";
import { BundleIncompleteError, renderBundle, type Bundle } from "@/lib/gateway/bundle";
import { auditDownload, downloadHeaders, loadForDownload, tenantOfTunnel } from "@/lib/gateway/download";
import { problem } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tunnels/{id}/bundle — every config for both ends of one tunnel, with a README
 * giving the apply order, as a zip. Admins and the tenant's own users only; audited.
 */
export const GET = defineRoute({ access: "tenant:secrets", tenant: tenantOfTunnel }, async (_request, { db, principal, params }) => {
  const loaded = await loadForDownload(db, params.id);
  if (!loaded.ok) return problem(loaded.status, loaded.message);
  let bundle: Bundle;
  try {
    bundle = renderBundle(loaded.context);
  } catch (error) {
    // A bundle without a file the tenant needs is refused whole, saying which value to fix.
    if (!(error instanceof BundleIncompleteError)) throw error;
    const errors: Record<string, string[]> = {};
    for (const gap of error.gaps) (errors[gap.field] ??= []).push(gap.message);
    return problem(409, error.message, { errors });
  }
  await auditDownload(db, principal, loaded, params.id, ["(bundle)", ...bundle.files]);
  return new Response(Buffer.from(bundle.bytes), { headers: downloadHeaders(bundle.fileName, "application/zip") });
});
