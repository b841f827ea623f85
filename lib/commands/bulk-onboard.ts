/**
 * Bulk onboarding: many tenants from one file, each through the very onboarding command the form
 * uses. Every row runs inside one transaction, each in its own savepoint, so a dry run is the real
 * thing rolled back: it shows exactly which VLAN each row would get and which rows would be
 * refused (a subnet overlapping another row's, a slug used twice, a full pool), and writes nothing.
 * "all-or-nothing" commits only when every row succeeds; "per-row" commits the rows that succeed.
 */
import "server-only";
import { recordAudit } from "@/lib/audit";
import { fieldErrors } from "@/lib/auth/guards";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import type { BulkMode } from "@/lib/domain/bulk-rows";
import { onboardTenantInput, type OnboardTenantInput } from "@/lib/validation/tenant";
import { lockCloudsForOnboarding, onboardTenant } from "./onboard-tenant";


export type BulkRowResult =
  | { row: number; slug: string | null; ok: true; vlanId: number; vni: number }
  | { row: number; slug: string | null; ok: false; message: string; errors: Partial<Record<string, string[]>> };

export type BulkOutcome = { mode: BulkMode; committed: boolean; succeeded: number; failed: number; rows: BulkRowResult[] };

/** Thrown to roll the transaction back (a dry run, or an all-or-nothing with a bad row). */
class RollBack extends Error {
  constructor(readonly outcome: BulkOutcome) {
    super("rolled back");
  }
}

const slugOf = (raw: Record<string, unknown>) => (typeof raw.slug === "string" ? raw.slug.trim() : null);

/** Rows are numbered from 1, as a spreadsheet's data rows are (the header is not counted). */
export async function bulkOnboard(db: Database, actor: Principal, rows: Record<string, unknown>[], mode: BulkMode): Promise<BulkOutcome> {
  const firstRowOfSlug = new Map<string, number>();
  const checked = rows.map((raw, index): { row: number; raw: Record<string, unknown>; input?: OnboardTenantInput; refusal?: BulkRowResult } => {
    const row = index + 1;
    const parsed = onboardTenantInput.safeParse(raw);
    if (!parsed.success) return { row, raw, refusal: { row, slug: slugOf(raw), ok: false, message: "Some fields need attention.", errors: fieldErrors(parsed.error) } };
    const earlier = firstRowOfSlug.get(parsed.data.slug);
    if (earlier !== undefined) {
      return { row, raw, refusal: { row, slug: parsed.data.slug, ok: false, message: "Some fields need attention.", errors: { slug: [`Row ${earlier} has the slug “${parsed.data.slug}” already.`] } } };
    }
    firstRowOfSlug.set(parsed.data.slug, row);
    return { row, raw, input: parsed.data };
  });

  try {
    return await db.transaction(async (tx) => {
      // Every cloud's lock up front, in the one fixed order, rather than row by row as the file
      // happens to list them: see lockCloudsForOnboarding.
      await lockCloudsForOnboarding(tx, checked.flatMap((item) => (item.input ? [item.input.privateCloudId] : [])));
      const results: BulkRowResult[] = [];
      for (const item of checked) {
        if (item.refusal) {
          results.push(item.refusal);
          continue;
        }
        const result = await onboardTenant(tx, actor, item.input!);
        results.push(
          result.ok
            ? { row: item.row, slug: result.slug, ok: true, vlanId: result.vlanId, vni: result.vni }
            : { row: item.row, slug: item.input!.slug, ok: false, message: result.message, errors: result.errors ?? {} },
        );
      }
      const succeeded = results.filter((r) => r.ok).length;
      const failed = results.length - succeeded;
      const commit = mode === "per-row" ? succeeded > 0 : mode === "all-or-nothing" && failed === 0;
      const outcome = { mode, committed: commit, succeeded, failed, rows: results };
      if (!commit) throw new RollBack(outcome);
      await recordAudit(tx, actor, {
        action: "tenant.bulk-onboard",
        entityType: "tenant-import",
        entityId: crypto.randomUUID(),
        after: { mode, onboarded: results.filter((r) => r.ok).map((r) => r.slug), refusedRows: results.filter((r) => !r.ok).map((r) => r.row) },
      });
      return outcome;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.outcome;
    throw error;
  }
}
