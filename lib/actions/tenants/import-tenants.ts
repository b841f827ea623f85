"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { bulkOnboard } from "@/lib/commands/bulk-onboard";
import { parseBulkCsv } from "@/lib/domain/bulk-rows";
import { importTenantsInput } from "@/lib/validation/tenant-import";

/**
 * Bulk onboarding from the console: the same command as POST /api/v1/tenant-imports. A dry run
 * shows per row what would happen and writes nothing.
 */
export const importTenants = defineAction({ input: importTenantsInput, access: "fleet:write" }, async ({ file, mode, privateCloudId }, { db, principal }) => {
  const parsed = parseBulkCsv(await file.text());
  if (!parsed.ok) return { ok: false, status: 400, message: "The file needs attention.", errors: { file: [parsed.error] } };
  const rows = parsed.rows.map((row) => (privateCloudId && row.privateCloudId === undefined ? { ...row, privateCloudId } : row));
  const outcome = await bulkOnboard(db, principal, rows, mode);
  if (outcome.committed) revalidatePath("/admin/tenants");
  const message =
    mode === "dry-run"
      ? `Dry run: ${outcome.succeeded} row${outcome.succeeded === 1 ? "" : "s"} would be onboarded, ${outcome.failed} need${outcome.failed === 1 ? "s" : ""} attention. Nothing was written.`
      : outcome.committed
        ? `Onboarded ${outcome.succeeded} tenant${outcome.succeeded === 1 ? "" : "s"}${outcome.failed ? `; ${outcome.failed} row${outcome.failed === 1 ? "" : "s"} left out` : ""}.`
        : `Nothing was written: ${outcome.failed} row${outcome.failed === 1 ? "" : "s"} need${outcome.failed === 1 ? "s" : ""} attention.`;
  return { ok: true, data: outcome, message };
});
