import { strToU8, zipSync, type Zippable } from "fflate";
import { recordAudit } from "@/lib/audit";
import { defineRoute } from "@/lib/auth/guards";
import { downloadHeaders } from "@/lib/gateway/download";
import { listStretchFiles } from "@/lib/queries/stretch";
import { findTenantIdBySlug } from "@/lib/queries/tenants";
import { problem } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Zip entries carry a DOS time; a fixed one keeps the download byte-for-byte the same. */
const FIXED_MTIME = new Date("2026-01-01T00:00:00Z");

/**
 * GET /api/v1/tenants/{slug}/teardown — the gateways' teardown files the unextend kept (the
 * tunnels' bundles went with the tunnels). Those who may download configs may download these;
 * audited like any download.
 */
export const GET = defineRoute(
  { access: "tenant:secrets", tenant: ({ slug }: { slug: string }, db) => findTenantIdBySlug(slug, db) },
  async (_request, { db, principal, tenantId, params }) => {
    const files = await listStretchFiles(db, tenantId!);
    if (files.length === 0) return problem(409, "This tenant's stretch has not been unextended: its teardown files are in each tunnel's bundle (unextend/).");
    const root = `bridgehead-${params.slug}-unextend`;
    const entries: Zippable = {};
    for (const file of files) entries[`${root}/${file.path}`] = [strToU8(file.contents), { mtime: FIXED_MTIME, attrs: (0o100000 | file.mode) << 16, os: 3 }];
    await recordAudit(db, principal, { action: "gateway-config.download", entityType: "tenant", entityId: tenantId!, tenantId, after: { files: ["(unextend teardown)", ...files.map((f) => f.path)] } });
    return new Response(Buffer.from(zipSync(entries, { level: 6 })), { headers: downloadHeaders(`${root}.zip`, "application/zip") });
  },
);
