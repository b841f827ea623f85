"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { describeAzureError } from "@/lib/avs/arm-operations";
import { getAvsRuntime } from "@/lib/avs/runtime";
import { syncPrivateClouds } from "@/lib/avs/sync";
import { z } from "zod";

export const refreshPrivateClouds = defineAction({ input: z.object({}), access: "fleet:write" }, async (_input, { db, principal }) => {
  const avs = getAvsRuntime();
  try {
    const count = await syncPrivateClouds(db, avs.client, avs.scope);
    await recordAudit(db, principal, { action: "private-clouds.refresh", entityType: "subscription", entityId: avs.scope.subscriptionId, after: { count } });
    revalidatePath("/admin/clouds");
    return { ok: true, data: { count }, message: `Read ${count} private cloud${count === 1 ? "" : "s"} from ${avs.mode === "azure" ? "Azure" : "the AVS emulator"}.` };
  } catch (error) {
    return { ok: false, status: 409, message: `Could not read the private clouds: ${describeAzureError(error)}` };
  }
});
