"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { revokeDisplay as revokeDisplayRecord } from "@/lib/commands/noc-displays";
import { idInput } from "@/lib/validation/access";

/** The display's link stops and its sessions end, so the screen is signed out at its next refresh. */
export const revokeDisplay = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const revoked = await revokeDisplayRecord(db, principal, id);
  if (!revoked) return { ok: false, status: 404, message: "No such display, or it is already revoked." };
  revalidatePath("/admin/access");
  return { ok: true, data: undefined, message: `Display “${revoked.name}” revoked.` };
});
