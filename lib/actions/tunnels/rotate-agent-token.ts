"use server";
import "server-only";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth/guards";
import { rotateAgentToken as rotate } from "@/lib/commands/tunnels";
import { readConfig } from "@/lib/config";
import { findTenantIdByEndpoint } from "@/lib/queries/tunnels";
import { getSecretsKey } from "@/lib/secrets";
import { idInput } from "@/lib/validation/access";

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/**
 * Issues a new bearer token for one end's telemetry agent; the old one keeps working for the
 * grace window (AGENT_TOKEN_GRACE_HOURS). The tenant is looked up from the endpoint, so naming
 * another tenant's endpoint gets a 404.
 */
export const rotateAgentToken = defineAction(
  { input: idInput, access: "tenant:write", tenant: ({ id }, db) => findTenantIdByEndpoint(id, db) },
  async ({ id }, { db, principal }) => {
    const config = readConfig();
    const rotated = await rotate(db, principal, id, { secretsKey: getSecretsKey(config), graceHours: config.agentTokenGraceHours });
    if (!rotated.ok) return rotated;
    revalidatePath(`/t/[slug]`, "page");
    const previous = rotated.previousValidUntil
      ? ` The previous token keeps working until ${when.format(rotated.previousValidUntil)} UTC; revoke it now if it leaked.`
      : "";
    return {
      ok: true,
      data: { token: rotated.token, endpointId: id },
      message: `New token for ${rotated.hostname}. Copy it now: it is shown only once.${previous}`,
    };
  },
);
