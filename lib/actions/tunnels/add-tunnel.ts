"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { addTunnel as add } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";
import { addTunnelInput } from "@/lib/validation/tunnel";

/** Operators add a tenant's tunnels; the new ends' agent tokens and key are in its downloads. */
export const addTunnel = defineAction({ input: addTunnelInput, access: "fleet:write" }, async (input, { db, principal }) => {
  const result = await add(db, principal, input, getSecretsKey(readConfig()));
  if (!result.ok) return result;
  revalidatePath("/t/[slug]", "page");
  return {
    ok: true,
    data: { tunnelId: result.tunnelId },
    message: `Tunnel ${input.name} added as #${result.ordinal}. Download its configs: they carry both agents' tokens.`,
  };
});
