"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { segments } from "@/lib/db/schema";
import { idInput } from "@/lib/validation/access";

/**
 * Sends a failed or drifted segment back to the job: it looks at Azure afresh and converges
 * (creates, repairs or, for an offboarding tenant, deletes). The id is the segment's.
 */
export const retrySegment = defineAction({ input: idInput, access: "fleet:write" }, async ({ id }, { db, principal }) => {
  const result = await db.transaction(async (tx) => {
    const [segment] = await tx.select().from(segments).where(eq(segments.id, id)).for("update");
    if (!segment) return { ok: false as const, status: 404 as const, message: "No such segment." };
    if (segment.state !== "failed" && segment.state !== "drifted") {
      return { ok: false as const, status: 409 as const, message: `The segment is ${segment.state}; only a failed or drifted segment is retried.` };
    }
    const state = segment.desired === "absent" ? ("deleting" as const) : ("pending" as const);
    await tx
      .update(segments)
      .set({ state, attempts: 0, lastError: null, operationState: null, nextAttemptAt: new Date(), lockedBy: null, lockedUntil: null, updatedAt: new Date() })
      .where(eq(segments.id, id));
    await recordAudit(tx, principal, { action: "segment.retry", entityType: "segment", entityId: id, tenantId: segment.tenantId, before: { state: segment.state, lastError: segment.lastError }, after: { state } });
    return { ok: true as const, data: undefined, message: "Retrying: the segment goes back to Azure now." };
  });
  revalidatePath("/t/[slug]", "page");
  return result;
});
