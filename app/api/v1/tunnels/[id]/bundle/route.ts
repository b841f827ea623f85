import { defineRoute } from "@/lib/auth/guards";
import { renderBundle } from "@/lib/gateway/bundle";
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
  const bundle = renderBundle(loaded.context);
  await auditDownload(db, principal, loaded, params.id, ["(bundle)", ...bundle.files]);
  return new Response(Buffer.from(bundle.bytes), { headers: downloadHeaders(bundle.fileName, "application/zip") });
});
