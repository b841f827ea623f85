"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { unextendStretch as unextend } from "@/lib/commands/unextend-stretch";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";
import { unextendInput } from "@/lib/validation/stretch";

export const unextendStretch = defineAction({ input: unextendInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const config = readConfig();
  const result = await unextend(db, principal, input, { secretsKey: getSecretsKey(config), consoleUrl: config.publicUrl });
  if (!result.ok) return { ok: false, status: result.status, message: result.message, ...(result.errors ? { errors: result.errors } : {}) };
  revalidatePath("/t/[slug]", "page");
  revalidatePath("/admin/tenants");
  return { ok: true, data: undefined, message: "Unextended: the tunnels and their agent tokens are retired and the segment stays routed. Take the gateways down with the teardown files." };
});
