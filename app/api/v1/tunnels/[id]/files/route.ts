import { defineRoute } from "@/lib/auth/guards";
import { findGeneratedFile } from "@/lib/gateway/bundle";
import { auditDownload, downloadHeaders, loadForDownload, tenantOfTunnel } from "@/lib/gateway/download";
import { problem } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tunnels/{id}/files?path=source/linux-iproute2/… — one generated file. The path
 * is only ever compared with the generated files' own paths, never used to open anything.
 */
export const GET = defineRoute({ access: "tenant:secrets", tenant: tenantOfTunnel }, async (request, { db, principal, params }) => {
  const path = new URL(request.url).searchParams.get("path");
  if (!path) return problem(400, "Name the file with ?path=, e.g. ?path=source/linux-iproute2/…; the bundle's README lists them.");
  const loaded = await loadForDownload(db, params.id);
  if (!loaded.ok) return problem(loaded.status, loaded.message);
  const file = findGeneratedFile(loaded.context, path);
  if (!file) return problem(404, `This tunnel has no generated file ${JSON.stringify(path.slice(0, 200))}.`);
  await auditDownload(db, principal, loaded, params.id, [file.path]);
  const name = file.path.split("/").pop()!;
  return new Response(file.contents, { headers: downloadHeaders(name, "text/plain; charset=utf-8") });
});
