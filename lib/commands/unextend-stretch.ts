/**
 * The unextend: the stretch ends in the console. After its pre-checks (past them only with a
 * reason, audited) and the tenant's slug typed to confirm, the tunnels are retired with their
 * agent tokens (removed, as removing a tunnel does: endpoints, tokens and samples go; warnings
 * stay as history), and the segment stays in Azure, routed by the Tier-1, with the tenant's VLAN
 * kept until offboarding. The teardown files for the gateways are rendered from the tunnels
 * before they go and kept (stretch_files), since the bundle they came from goes with them.
 */
import "server-only";
import { and, eq, inArray, ne } from "drizzle-orm";
import { actorName, recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { segments, stretchFiles, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { renderTargets } from "@/lib/gateway/bundle";
import { loadGatewayContext } from "@/lib/gateway/load-context";
import type { GeneratedFile } from "@/lib/gateway/types";
import { enqueueWarningNotifications } from "@/lib/notifications/outbox";
import { loadStretchEvidence } from "@/lib/queries/stretch";
import { checkRecord, gate, runChecklist } from "@/lib/stretch/checks/checklists";
import type { UnextendInput } from "@/lib/validation/stretch";
import type { StretchStepResult } from "./start-cutover";
import { lockEndpointsInIdOrder, lockTunnelsInIdOrder } from "./lock-in-id-order";
import { lockTenantFor, refuseIfChangedSince, setStage } from "./stretch-common";

/** A file that undoes what the bundle built and carries no secret: what the unextend keeps. */
const TEARDOWN_FILE = /-(undo|teardown)\.[a-z0-9]+$/;

/** The files to keep for the gateways' teardown: the unextend's own, and every platform's undo. */
export function teardownFilesOf(rendered: ReturnType<typeof renderTargets>): GeneratedFile[] {
  return rendered.flatMap((item) =>
    "files" in item ? item.files.filter((file) => item.target.role === "unextend" || (item.target.role !== "transport" && item.target.role !== "agent" && TEARDOWN_FILE.test(file.path))) : [],
  );
}

export async function unextendStretch(
  db: Database,
  actor: Principal | null,
  input: UnextendInput,
  options: { secretsKey: Uint8Array; consoleUrl: string },
  now = new Date(),
): Promise<StretchStepResult> {
  return db.transaction(async (tx) => {
    const locked = await lockTenantFor(tx, input.tenantId, "unextend");
    if (!locked.ok) return locked;
    const { tenant } = locked;
    const changed = refuseIfChangedSince(tenant, input.stageChangedAt);
    if (changed) return changed;
    if (input.confirmSlug !== tenant.slug) {
      return { ok: false as const, status: 400 as const, message: "Some fields need attention.", errors: { confirmSlug: [`Type ${tenant.slug} to confirm: the tunnels and their agent tokens are retired for good.`] } };
    }
    const [segment] = await tx.select().from(segments).where(eq(segments.tenantId, tenant.id)).for("update");
    if (!segment || segment.state !== "ready" || !segment.gatewayAddress) {
      return { ok: false as const, status: 409 as const, message: `The segment is ${segment?.state ?? "missing"}; unextend once it is ready with its gateway on the Tier-1.` };
    }
    const evidence = await loadStretchEvidence(tx, tenant.id, now);
    const checks = runChecklist("unextend", evidence!);
    const decision = gate(checks, input.reason, "unextend");
    if (!decision.ok) return { ok: false as const, status: 409 as const, message: decision.message, checks };

    const rows = await tx.select().from(tunnels).where(eq(tunnels.tenantId, tenant.id)).orderBy(tunnels.ordinal);
    const files = new Map<string, GeneratedFile>();
    const unrendered: string[] = [];
    for (const tunnel of rows) {
      const loaded = await loadGatewayContext(tx, tunnel.id, options);
      if (!loaded.ok) {
        unrendered.push(`${tunnel.name}: ${loaded.message}`);
        continue;
      }
      for (const file of teardownFilesOf(renderTargets(loaded.context))) files.set(file.path, file);
    }
    const ends = rows.length
      ? await tx.select({ tunnelId: tunnelEndpoints.tunnelId, side: tunnelEndpoints.side, hostname: tunnelEndpoints.hostname, underlayIp: tunnelEndpoints.underlayIp }).from(tunnelEndpoints).where(inArray(tunnelEndpoints.tunnelId, rows.map((t) => t.id)))
      : [];
    // Endpoints, their agent tokens and their samples go with the tunnels (cascade); warnings stay as history.
    // The tunnels, then their endpoints, locked in id order first, as the agents' ingest locks
    // endpoints: the cascade would otherwise lock them tunnel by tunnel, in the table's order.
    if (rows.length) {
      const tunnelIds = await lockTunnelsInIdOrder(tx, inArray(tunnels.id, rows.map((t) => t.id)), "update");
      await lockEndpointsInIdOrder(tx, inArray(tunnelEndpoints.tunnelId, tunnelIds), "update");
      await tx.delete(tunnels).where(inArray(tunnels.id, tunnelIds));
    }
    // The open warnings describe the stretch (its tunnels, tromboning, its overdue cut-over): with
    // no tunnel left nothing evaluates them again, so they would only fade after the clear delay.
    const resolvedWarnings = await tx
      .update(warnings)
      .set({ state: "resolved", resolvedAt: now, resolvedBy: actorName(actor) })
      .where(and(eq(warnings.tenantId, tenant.id), ne(warnings.state, "resolved")))
      .returning({ id: warnings.id });
    // Whoever is subscribed to them hears they are over, as for any resolution.
    await enqueueWarningNotifications(tx, resolvedWarnings.map((w) => ({ op: "resolve" as const, id: w.id, set: { resolvedAt: now } })));
    await tx.delete(stretchFiles).where(eq(stretchFiles.tenantId, tenant.id));
    if (files.size > 0) await tx.insert(stretchFiles).values([...files.values()].map((file) => ({ tenantId: tenant.id, path: file.path, contents: file.contents, mode: file.mode, createdAt: now })));
    await setStage(tx, tenant.id, "unextended", now);
    await recordAudit(tx, actor, {
      action: "stretch.unextend",
      entityType: "stretch",
      entityId: tenant.id,
      tenantId: tenant.id,
      before: { stage: tenant.stretchStage, tunnels: rows.map((t) => ({ name: t.name, ordinal: t.ordinal, ends: ends.filter((e) => e.tunnelId === t.id).map(({ side, hostname, underlayIp }) => ({ side, hostname, underlayIp })) })) },
      after: {
        stage: "unextended",
        tunnelsRetired: rows.map((t) => t.name),
        agentTokensRetired: ends.length,
        warningsResolved: resolvedWarnings.length,
        segmentKept: segment.segmentName,
        teardownFiles: [...files.keys()],
        ...(unrendered.length ? { teardownNotRendered: unrendered } : {}),
        checks: checks.map(checkRecord),
        overridden: decision.overridden.map(checkRecord),
        reason: decision.overridden.length > 0 ? input.reason : null,
      },
    });
    return { ok: true as const };
  });
}
