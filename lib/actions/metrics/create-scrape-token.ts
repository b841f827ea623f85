"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createScrapeToken as create } from "@/lib/commands/scrape-tokens";
import { scrapeTokenInput } from "@/lib/validation/notifications";

export const createScrapeToken = defineAction({ input: scrapeTokenInput, access: "fleet:write" }, async ({ name }, { db, principal }) => {
  const result = await create(db, principal, name);
  revalidatePath("/admin/settings/metrics");
  return { ok: true, data: { id: result.id, token: result.token }, message: "Scrape token made. Copy it now: it is shown only once." };
});
