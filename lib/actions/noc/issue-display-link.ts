"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { issueDisplayLink as issueLink } from "@/lib/commands/noc-displays";
import { readConfig } from "@/lib/config";
import { idInput } from "@/lib/validation/access";

/** A new one-time link for a display (a new screen, or one that lost its session); the previous link stops. */
export const issueDisplayLink = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const issued = await issueLink(db, principal, id);
  if (!issued) return { ok: false, status: 404, message: "No such display, or it is revoked: create a new display instead." };
  revalidatePath("/admin/access");
  return {
    ok: true,
    data: { id: issued.id, link: `${readConfig().publicUrl}/noc/connect#${issued.token}` },
    message: `New link for “${issued.name}”: open it on the screen. It works once and is shown only now; the previous link no longer works.`,
  };
});
