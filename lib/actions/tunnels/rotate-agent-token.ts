"use server";

import { eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { issueAgentToken } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { tunnelEndpoints } from "@/lib/db/schema";
import { findTenantIdByEndpoint } from "@/lib/queries/tunnels";
import { getSecretsKey } from "@/lib/secrets";
import { idInput } from "@/lib/validation/access";

/**
 * Issues a new bearer token for one end's telemetry agent; the old one stops working at once.
 * The tenant is looked up from the endpoint, so naming another tenant's endpoint gets a 404.
 */
export const rotateAgentToken = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByEndpoint(id, db) },
  async ({ id }, { db, principal, tenantId }) => {
    const { token, agentTokenHash, agentTokenCiphertext } = await issueAgentToken(getSecretsKey(readConfig()));
    const endpoint = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(tunnelEndpoints)
        // The hash authenticates the agent; the ciphertext goes into the next config download.
        .set({ agentTokenHash, agentTokenCiphertext, agentTokenRotatedAt: new Date() })
        .where(eq(tunnelEndpoints.id, id))
        .returning({ id: tunnelEndpoints.id, side: tunnelEndpoints.side, hostname: tunnelEndpoints.hostname });
      await recordAudit(tx, principal, {
        action: "agent-token.rotate",
        entityType: "tunnel-endpoint",
        entityId: id,
        tenantId,
        after: { side: row!.side, hostname: row!.hostname },
      });
      return row!;
    });
    revalidatePath(`/t/[slug]`, "page");
    return {
      ok: true,
      data: { token, endpointId: endpoint.id },
      message: `New token for ${endpoint.hostname}. Copy it now: it is shown only once.`,
    };
  },
);
