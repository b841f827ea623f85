"use server";

import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import { readConfig } from "@/lib/config";
import { nocDisplays } from "@/lib/db/schema";
import { displayNameInput } from "@/lib/validation/access";

/**
 * Makes a wall-screen link. The token travels in the URL fragment, which browsers never send to
 * a server, so it does not end up in proxy or access logs; the connect page posts it once.
 */
export const createDisplay = defineAction(
  { input: displayNameInput, access: "fleet:write" },
  async ({ name }, { db, principal }) => {
    const token = newBearerToken("noc");
    const display = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(nocDisplays)
        .values({ name, tokenHash: hashToken(token), createdBy: principal.kind === "user" ? principal.signInName : principal.name })
        .returning({ id: nocDisplays.id, name: nocDisplays.name });
      await recordAudit(tx, principal, { action: "noc-display.create", entityType: "noc-display", entityId: row!.id, after: row });
      return row!;
    });
    revalidatePath("/admin/access");
    return {
      ok: true,
      data: { id: display.id, link: `${readConfig().publicUrl}/noc/connect#${token}` },
      message: `Display “${display.name}” created. Open the link on the wall screen; it is shown only once.`,
    };
  },
);
