import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { findBundleGaps, renderTargets } from "@/lib/gateway/bundle";
import { loadForDownload } from "@/lib/gateway/download";
import type { Side } from "@/lib/domain/tenant-options";

export type TunnelDownloads = {
  id: string;
  name: string;
  ordinal: number;
  status: string;
  ends: { side: Side; hostname: string; underlayIp: string }[];
  /** Per platform, the files it writes; null when the viewer may not download, or the configs cannot be rendered. */
  targets: { id: string; label: string; summary: string; files: string[]; error?: string }[] | null;
  unavailable?: string;
};

/**
 * A tenant's tunnels with the files each would download. File lists are only worked out for a
 * viewer who may download them, since rendering them decrypts the tunnel's secrets.
 */
export async function listTunnelDownloads(db: Database, tenantId: string, options: { mayDownload: boolean }): Promise<TunnelDownloads[]> {
  const rows = await db.select().from(tunnels).where(eq(tunnels.tenantId, tenantId)).orderBy(tunnels.ordinal);
  const result: TunnelDownloads[] = [];
  for (const tunnel of rows) {
    const ends = await db
      .select({ side: tunnelEndpoints.side, hostname: tunnelEndpoints.hostname, underlayIp: tunnelEndpoints.underlayIp })
      .from(tunnelEndpoints)
      .where(eq(tunnelEndpoints.tunnelId, tunnel.id))
      .orderBy(tunnelEndpoints.side);
    const item: TunnelDownloads = { id: tunnel.id, name: tunnel.name, ordinal: tunnel.ordinal, status: tunnel.status, ends, targets: null };
    if (options.mayDownload) {
      const loaded = await loadForDownload(db, tunnel.id);
      const rendered = loaded.ok ? renderTargets(loaded.context) : [];
      const gaps = loaded.ok ? findBundleGaps(loaded.context, rendered) : [];
      if (loaded.ok && gaps.length > 0) {
        // No zip that lacks a file the tenant needs: say what to fix instead.
        item.unavailable = `These configs cannot be complete, so none is offered: ${gaps.map((gap) => gap.message).join(" ")} Remove the tunnel and add it again with values every file can take.`;
      } else if (loaded.ok) {
        item.targets = rendered.map((rendered) => ({
          id: rendered.target.id,
          label: rendered.target.label,
          summary: rendered.target.summary,
          files: "files" in rendered ? rendered.files.map((f) => f.path) : [],
          ...("error" in rendered ? { error: rendered.error.message } : {}),
        }));
      } else {
        item.unavailable = loaded.message;
      }
    }
    result.push(item);
  }
  return result;
}
