"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { revokeScrapeToken as revoke } from "@/lib/commands/scrape-tokens";
import { idInput } from "@/lib/validation/access";

export const revokeScrapeToken = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await revoke(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/admin/settings/metrics");
  return { ok: true, data: undefined, message: "Revoked: scrapes with it are refused from now on." };
});
