"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { removeTunnel as remove } from "@/lib/commands/tunnels";
import { idInput } from "@/lib/validation/access";

/** Removing a tunnel stops its agents at once (their tokens go with it) and drops its samples. */
export const removeTunnel = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await remove(db, principal, id);
  if (!result.ok) return result;
  revalidatePath("/t/[slug]", "page");
  return { ok: true, data: undefined, message: "Tunnel removed; its agents' tokens no longer work." };
});
