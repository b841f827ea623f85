"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/auth/guards";
import { acknowledgeWarnings as acknowledge } from "@/lib/commands/acknowledge-warnings";

const input = z.object({
  ids: z.array(z.string().uuid("Not a valid warning id.")).min(1, "Select at least one warning.").max(1000, "At most 1000 at a time."),
});

/** Bulk acknowledgement from the warnings page: operators only, across tenants. */
export const acknowledgeWarnings = defineAction({ input, access: "fleet:write" }, async ({ ids }, { db, principal }) => {
  const result = await acknowledge(db, principal, [...new Set(ids)]);
  revalidatePath("/admin/warnings");
  revalidatePath("/admin");
  const skipped = result.alreadyHandled > 0 ? ` ${result.alreadyHandled} were already acknowledged or resolved.` : "";
  return { ok: true, data: result, message: `Acknowledged ${result.acknowledged}.${skipped}` };
});
