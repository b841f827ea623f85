"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { createDisplay as createDisplayRecord } from "@/lib/commands/noc-displays";
import { readConfig } from "@/lib/config";
import { displayNameInput } from "@/lib/validation/access";

/**
 * Makes a wall-screen link. The token travels in the URL fragment, which browsers never send to
 * a server, so it does not end up in proxy or access logs; the connect page posts it once, and
 * the link works that one time.
 */
export const createDisplay = defineAction({ input: displayNameInput, access: "fleet:write" }, async ({ name }, { db, principal }) => {
  const display = await createDisplayRecord(db, principal, name);
  revalidatePath("/admin/access");
  return {
    ok: true,
    data: { id: display.id, link: `${readConfig().publicUrl}/noc/connect#${display.token}` },
    message: `Display “${display.name}” created. Open the link on the wall screen: it works once and is shown only now.`,
  };
});
