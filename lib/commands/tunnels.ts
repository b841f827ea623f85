/**
 * A tenant's tunnels: at most two (primary and redundant), each with a source and an AVS end.
 * Adding one issues both ends' agent tokens and, for an IPsec VPN, the tunnel's pre-shared key;
 * every secret is stored encrypted (lib/secrets.ts) and leaves the console only in a download.
 */
import "server-only";
import { and, eq, gt, isNotNull, isNull, ne } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import { hashToken, newBearerToken } from "@/lib/auth/tokens";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { segments, tenants, tunnelEndpoints, tunnels, vlanAllocations } from "@/lib/db/schema";
import { segmentNameFor } from "@/lib/domain/segment";
import { findTunnelFitProblems, TUNNEL_FORM_FIELDS, type TunnelFitInput } from "@/lib/gateway/tunnel-fit";
import { encryptSecret, newPresharedKey, SECRET_PURPOSE } from "@/lib/secrets";
import type { AddTunnelInput } from "@/lib/validation/tunnel";
import { lockEndpointsInIdOrder, lockTunnelsInIdOrder } from "./lock-in-id-order";
import type { CommandRefusal } from "./result";

export const MAX_TUNNELS_PER_TENANT = 2;

/** A fresh agent token: its hash for lookups, its ciphertext for downloads, and the token to show once. */
export async function issueAgentToken(secretsKey: Uint8Array) {
  const token = newBearerToken("agt");
  return { token, agentTokenHash: hashToken(token), agentTokenCiphertext: await encryptSecret(token, secretsKey, SECRET_PURPOSE.agentToken) };
}

export async function addTunnel(
  db: Database,
  actor: Principal | null,
  input: AddTunnelInput,
  secretsKey: Uint8Array,
): Promise<{ ok: true; tunnelId: string; ordinal: number } | CommandRefusal> {
  const sourceToken = await issueAgentToken(secretsKey);
  const avsToken = await issueAgentToken(secretsKey);
  const pskCiphertext = await encryptSecret(newPresharedKey(), secretsKey, SECRET_PURPOSE.psk);
  try {
    return await db.transaction(async (tx) => {
      const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, input.tenantId)).for("update");
      if (!tenant) return { ok: false as const, status: 404 as const, message: "No such tenant." };
      if (tenant.state === "offboarding" || tenant.state === "offboarded") {
        return { ok: false as const, status: 409 as const, message: `${tenant.displayName} is ${tenant.state}; it gets no new tunnels.` };
      }
      if (tenant.stretchStage === "unextended") {
        return { ok: false as const, status: 409 as const, message: `${tenant.displayName}'s stretch was unextended: its segment is routed in AVS now and gets no new tunnels.` };
      }
      const existing = await tx.select({ ordinal: tunnels.ordinal, name: tunnels.name }).from(tunnels).where(eq(tunnels.tenantId, tenant.id));
      if (existing.length >= MAX_TUNNELS_PER_TENANT) {
        return { ok: false as const, status: 409 as const, message: `${tenant.displayName} already has its ${MAX_TUNNELS_PER_TENANT} tunnels (primary and redundant). Remove one first.` };
      }
      if (existing.some((t) => t.name === input.name)) {
        return { ok: false as const, status: 409 as const, message: "Some fields need attention.", errors: { name: [`${tenant.displayName} already has a tunnel named “${input.name}”.`] } };
      }
      const ordinal = existing.some((t) => t.ordinal === 1) ? 2 : 1;
      // The check the form, its action and the API share: every file this tenant needs must render
      // from these values, or nothing is stored and each field says which platform refused it.
      const problems = await findFitProblems(tx, tenant, input, ordinal);
      if (Object.keys(problems).length > 0) {
        // A refusal of the tenant's own settings (its VNI, its MTU) has no field on this form: say it in the message.
        const tenantLevel = Object.entries(problems).filter(([field]) => !TUNNEL_FORM_FIELDS.has(field)).flatMap(([, messages]) => messages);
        return { ok: false as const, status: 400 as const, message: ["Some fields need attention.", ...tenantLevel].join(" "), errors: problems };
      }
      const [tunnel] = await tx
        .insert(tunnels)
        .values({ tenantId: tenant.id, ordinal, name: input.name, sourcePlatform: input.sourcePlatform, ipsecSuite: input.ipsecSuite, pskCiphertext: tenant.transport === "ipsec-vpn" ? pskCiphertext : null })
        .returning({ id: tunnels.id });
      const now = new Date();
      await tx.insert(tunnelEndpoints).values([
        { tunnelId: tunnel!.id, side: "source", ...input.source, agentTokenHash: sourceToken.agentTokenHash, agentTokenCiphertext: sourceToken.agentTokenCiphertext, agentTokenRotatedAt: now },
        { tunnelId: tunnel!.id, side: "avs", ...input.avs, agentTokenHash: avsToken.agentTokenHash, agentTokenCiphertext: avsToken.agentTokenCiphertext, agentTokenRotatedAt: now },
      ]);
      await recordAudit(tx, actor, {
        action: "tunnel.add",
        entityType: "tunnel",
        entityId: tunnel!.id,
        tenantId: tenant.id,
        after: { ordinal, name: input.name, sourcePlatform: input.sourcePlatform, ipsecSuite: tenant.transport === "ipsec-vpn" ? input.ipsecSuite : null, source: input.source, avs: input.avs, ipsecKey: tenant.transport === "ipsec-vpn" ? "issued" : "none" },
      });
      return { ok: true as const, tunnelId: tunnel!.id, ordinal };
    });
  } catch (error) {
    // Two operators adding the tenant's second tunnel at once: the unique (tenant, ordinal) decides.
    if (isUniqueViolation(error)) return { ok: false, status: 409, message: "Another tunnel was added to this tenant at the same moment; reload and check." };
    throw error;
  }
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

async function findFitProblems(tx: Tx, tenant: typeof tenants.$inferSelect, input: AddTunnelInput, ordinal: 1 | 2): Promise<Record<string, string[]>> {
  const [vlan] = await tx
    .select({ vlanId: vlanAllocations.vlanId, vni: vlanAllocations.vni })
    .from(vlanAllocations)
    .where(and(eq(vlanAllocations.tenantId, tenant.id), ne(vlanAllocations.state, "released")));
  // A tenant without a VLAN has nothing to render yet; its bundle refuses itself until it has one.
  if (!vlan) return {};
  const [segment] = await tx.select({ segmentName: segments.segmentName }).from(segments).where(eq(segments.tenantId, tenant.id));
  const [other] = await tx.select().from(tunnels).where(eq(tunnels.tenantId, tenant.id));
  let partner: TunnelFitInput["partner"] = null;
  if (other) {
    const ends = await tx.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, other.id));
    const source = ends.find((e) => e.side === "source");
    const avs = ends.find((e) => e.side === "avs");
    if (source && avs) {
      partner = { ordinal: other.ordinal as 1 | 2, name: other.name, sourceHostname: source.hostname, sourceUnderlayIp: source.underlayIp, avsHostname: avs.hostname, avsUnderlayIp: avs.underlayIp };
    }
  }
  return findTunnelFitProblems({
    tenant: {
      slug: tenant.slug,
      displayName: tenant.displayName,
      vlanId: vlan.vlanId,
      vni: vlan.vni,
      subnet: tenant.subnet,
      gatewayLocation: tenant.gatewayLocation,
      transport: tenant.transport,
      encapsulation: tenant.encapsulation,
      sourceEnvironment: tenant.sourceEnvironment,
      segmentName: segment?.segmentName ?? segmentNameFor(tenant.slug),
      underlayMtu: tenant.underlayMtu,
    },
    tunnel: { ordinal, name: input.name, sourcePlatform: input.sourcePlatform, ipsecSuite: input.ipsecSuite, source: input.source, avs: input.avs },
    partner,
  });
}

export async function removeTunnel(db: Database, actor: Principal | null, tunnelId: string): Promise<{ ok: true } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [tunnel] = await tx.select().from(tunnels).where(eq(tunnels.id, tunnelId)).for("update");
    if (!tunnel) return { ok: false as const, status: 404 as const, message: "No such tunnel." };
    const endpoints = await tx.select({ side: tunnelEndpoints.side, hostname: tunnelEndpoints.hostname, underlayIp: tunnelEndpoints.underlayIp }).from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, tunnelId));
    // Endpoints, their tokens and their samples go with it (cascade); warnings stay as history.
    // Its ends locked in id order first, as the agents' ingest locks them: the cascade deletes
    // them in the (tunnel, side) index's order and deadlocked with it (./lock-in-id-order.ts).
    await lockEndpointsInIdOrder(tx, eq(tunnelEndpoints.tunnelId, tunnelId), "update");
    await tx.delete(tunnels).where(eq(tunnels.id, tunnelId));
    await recordAudit(tx, actor, {
      action: "tunnel.remove",
      entityType: "tunnel",
      entityId: tunnelId,
      tenantId: tunnel.tenantId,
      before: { ordinal: tunnel.ordinal, name: tunnel.name, endpoints },
    });
    return { ok: true as const };
  });
}

/**
 * A new token for one end's agent. The old one is kept as the previous token for the grace
 * window (the real agent keeps reporting until the new one is deployed); with no grace, or when
 * there was none, it stops at once. A second rotation inside the window retires one of the two
 * older tokens: the one the agent is not running. While the agent still reports with the previous
 * token (the current one never reached it: its copy was lost, so someone rotates again), that
 * token is the one kept, on the window it already had; otherwise the oldest goes.
 */
export async function rotateAgentToken(
  db: Database,
  actor: Principal | null,
  endpointId: string,
  options: { secretsKey: Uint8Array; graceHours: number; now?: Date },
): Promise<{ ok: true; token: string; hostname: string; previousValidUntil: Date | null } | CommandRefusal> {
  const now = options.now ?? new Date();
  const issued = await issueAgentToken(options.secretsKey);
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .select({
        id: tunnelEndpoints.id,
        side: tunnelEndpoints.side,
        hostname: tunnelEndpoints.hostname,
        tenantId: tunnels.tenantId,
        hash: tunnelEndpoints.agentTokenHash,
        issuedAt: tunnelEndpoints.agentTokenRotatedAt,
        previousHash: tunnelEndpoints.previousTokenHash,
        previousIssuedAt: tunnelEndpoints.previousTokenIssuedAt,
        previousValidUntil: tunnelEndpoints.previousTokenValidUntil,
        lastTokenHash: tunnelEndpoints.lastTokenHash,
      })
      .from(tunnelEndpoints)
      .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
      .where(eq(tunnelEndpoints.id, endpointId))
      .for("update");
    if (!endpoint) return { ok: false as const, status: 404 as const, message: "No such tunnel endpoint." };
    const kept = tokenToKeep(endpoint, options.graceHours, now);
    const previousValidUntil = kept?.validUntil ?? null;
    await tx
      .update(tunnelEndpoints)
      .set({
        // The hash authenticates the agent; the ciphertext goes into the next config download.
        agentTokenHash: issued.agentTokenHash,
        agentTokenCiphertext: issued.agentTokenCiphertext,
        agentTokenRotatedAt: now,
        previousTokenHash: kept?.hash ?? null,
        previousTokenIssuedAt: kept?.issuedAt ?? null,
        previousTokenValidUntil: previousValidUntil,
      })
      .where(eq(tunnelEndpoints.id, endpointId));
    await recordAudit(tx, actor, {
      action: "agent-token.rotate",
      entityType: "tunnel-endpoint",
      entityId: endpointId,
      tenantId: endpoint.tenantId,
      after: { side: endpoint.side, hostname: endpoint.hostname, previousTokenValidUntil: previousValidUntil },
    });
    return { ok: true as const, token: issued.token, hostname: endpoint.hostname, previousValidUntil };
  });
}

type EndpointTokens = {
  hash: string | null;
  issuedAt: Date | null;
  previousHash: string | null;
  previousIssuedAt: Date | null;
  previousValidUntil: Date | null;
  lastTokenHash: string | null;
};

/** Which token a rotation keeps as the previous one, until when; null: none (no grace, or no token). */
function tokenToKeep(endpoint: EndpointTokens, graceHours: number, now: Date): { hash: string; issuedAt: Date | null; validUntil: Date } | null {
  if (graceHours <= 0) return null;
  const { previousHash, previousValidUntil } = endpoint;
  if (previousHash !== null && previousValidUntil !== null && previousValidUntil > now && endpoint.lastTokenHash === previousHash) {
    // No new window: a token rotated out (perhaps because it leaked) does not live longer for being rotated past again.
    return { hash: previousHash, issuedAt: endpoint.previousIssuedAt, validUntil: previousValidUntil };
  }
  if (endpoint.hash === null) return null;
  return { hash: endpoint.hash, issuedAt: endpoint.issuedAt, validUntil: new Date(now.getTime() + graceHours * 3600_000) };
}

/** For a leaked token: the previous token stops now instead of at the end of its grace window. */
export async function revokePreviousAgentToken(db: Database, actor: Principal | null, endpointId: string, now = new Date()): Promise<{ ok: true; hostname: string } | CommandRefusal> {
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .update(tunnelEndpoints)
      .set({ previousTokenHash: null, previousTokenIssuedAt: null, previousTokenValidUntil: null })
      .where(and(eq(tunnelEndpoints.id, endpointId), isNotNull(tunnelEndpoints.previousTokenHash), gt(tunnelEndpoints.previousTokenValidUntil, now)))
      .returning({ hostname: tunnelEndpoints.hostname, side: tunnelEndpoints.side, tunnelId: tunnelEndpoints.tunnelId });
    if (!endpoint) return { ok: false as const, status: 409 as const, message: "This end has no previous token that still works: nothing to revoke." };
    const [tunnel] = await tx.select({ tenantId: tunnels.tenantId }).from(tunnels).where(eq(tunnels.id, endpoint.tunnelId));
    await recordAudit(tx, actor, {
      action: "agent-token.revoke-previous",
      entityType: "tunnel-endpoint",
      entityId: endpointId,
      tenantId: tunnel?.tenantId ?? null,
      after: { side: endpoint.side, hostname: endpoint.hostname },
    });
    return { ok: true as const, hostname: endpoint.hostname };
  });
}

/**
 * A tenant that moves to an IPsec VPN needs a pre-shared key on each tunnel that has none. Takes
 * the caller's transaction (`tx`): the keys belong to the tenant's change of transport and must
 * not outlive it if that change is refused or fails; the row locks last until it commits.
 */
export async function ensureTunnelPsks(tx: Database, tenantId: string, secretsKey: Uint8Array): Promise<number> {
  // Locked and written in id order, as every writer of several tunnels does (./lock-in-id-order.ts).
  const missing = await lockTunnelsInIdOrder(tx, and(eq(tunnels.tenantId, tenantId), isNull(tunnels.pskCiphertext))!, "no key update");
  for (const id of missing) {
    await tx.update(tunnels).set({ pskCiphertext: await encryptSecret(newPresharedKey(), secretsKey, SECRET_PURPOSE.psk) }).where(eq(tunnels.id, id));
  }
  return missing.length;
}
