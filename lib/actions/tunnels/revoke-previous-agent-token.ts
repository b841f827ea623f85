"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { revokePreviousAgentToken as revoke } from "@/lib/commands/tunnels";
import { findTenantIdByEndpoint } from "@/lib/queries/tunnels";
import { idInput } from "@/lib/validation/access";

/** For a leaked token: stops an end's previous agent token now rather than at the end of its grace window. */
export const revokePreviousAgentToken = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByEndpoint(id, db) },
  async ({ id }, { db, principal }) => {
    const revoked = await revoke(db, principal, id);
    if (!revoked.ok) return revoked;
    revalidatePath(`/t/[slug]`, "page");
    return { ok: true, data: undefined, message: `The previous token of ${revoked.hostname} no longer works.` };
  },
);
