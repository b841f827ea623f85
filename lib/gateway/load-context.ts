/**
 * Reads one tunnel's gateway input from the database, decrypts its secrets, and passes it all
 * through parseGatewayContext: stored data gets the same allow-lists as typed data, so a row
 * written before a rule tightened cannot slip into a config.
 */
import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { segments, tenants, tunnelEndpoints, tunnels, vlanAllocations } from "@/lib/db/schema";
import { segmentNameFor } from "@/lib/domain/segment";
import { decryptSecret, SECRET_PURPOSE, SecretUnreadableError } from "@/lib/secrets";
import { parseGatewayContext } from "./context";
import type { GatewayContext } from "./types";

export type LoadedContext =
  | { ok: true; context: GatewayContext; tenantId: string; tunnelName: string }
  | { ok: false; status: 404 | 409; message: string };

export async function findTenantIdByTunnel(tunnelId: string, db: Database): Promise<string | null> {
  const [row] = await db.select({ tenantId: tunnels.tenantId }).from(tunnels).where(eq(tunnels.id, tunnelId));
  return row?.tenantId ?? null;
}

/**
 * A secret the current key cannot read (SECRETS_KEY or the key file changed) refuses this tunnel
 * with a 409 that says what to do, instead of failing the request or the tenant page that lists
 * the downloads. The detail is logged for operators; the answer does not carry it.
 */
export async function loadGatewayContext(db: Database, tunnelId: string, options: { secretsKey: Uint8Array; consoleUrl: string }): Promise<LoadedContext> {
  try {
    return await loadDecrypted(db, tunnelId, options);
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    console.error(`[gateway] tunnel ${tunnelId}: ${error.message}`);
    return {
      ok: false,
      status: 409,
      message:
        "This tunnel's stored keys cannot be read with the console's current secrets key. An operator must restore SECRETS_KEY " +
        "(or DATA_DIR/secrets/secrets.key) from before the change; rotating an end's agent token replaces that token.",
    };
  }
}

async function loadDecrypted(db: Database, tunnelId: string, options: { secretsKey: Uint8Array; consoleUrl: string }): Promise<LoadedContext> {
  const [row] = await db
    .select({ tenant: tenants, tunnel: tunnels, vlanId: vlanAllocations.vlanId, vni: vlanAllocations.vni, segmentName: segments.segmentName })
    .from(tunnels)
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .leftJoin(vlanAllocations, and(eq(vlanAllocations.tenantId, tenants.id), ne(vlanAllocations.state, "released")))
    .leftJoin(segments, eq(segments.tenantId, tenants.id))
    .where(eq(tunnels.id, tunnelId));
  if (!row) return { ok: false, status: 404, message: "No such tunnel." };
  if (row.tenant.state === "offboarding" || row.tenant.state === "offboarded" || row.vlanId === null || row.vni === null) {
    return { ok: false, status: 409, message: `${row.tenant.displayName} is ${row.tenant.state}: its gateway configs are withdrawn.` };
  }
  const endpoints = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, tunnelId));
  const source = endpoints.find((e) => e.side === "source");
  const avs = endpoints.find((e) => e.side === "avs");
  if (!source || !avs) return { ok: false, status: 409, message: "This tunnel lacks one of its ends; add both before downloading configs." };
  const pair = await loadPartner(db, row.tenant.id, row.tunnel.id);
  if (pair === "incomplete") {
    return {
      ok: false,
      status: 409,
      message: "The tenant's other tunnel lacks one of its ends, and the two tunnels can only be configured as a pair: add both ends of the other tunnel first.",
    };
  }

  const endpoint = async (e: typeof source) => ({
    side: e.side,
    hostname: e.hostname,
    underlayIp: e.underlayIp,
    underlayInterface: e.underlayInterface,
    lanInterface: e.lanInterface,
    lanTagged: e.lanTagged,
    agentToken: e.agentTokenCiphertext ? await decryptSecret(e.agentTokenCiphertext, options.secretsKey, SECRET_PURPOSE.agentToken) : null,
  });
  const parsed = parseGatewayContext({
    tenant: {
      slug: row.tenant.slug,
      displayName: row.tenant.displayName,
      vlanId: row.vlanId,
      vni: row.vni,
      subnet: row.tenant.subnet,
      gatewayLocation: row.tenant.gatewayLocation,
      transport: row.tenant.transport,
      encapsulation: row.tenant.encapsulation,
      sourceEnvironment: row.tenant.sourceEnvironment,
      segmentName: row.segmentName ?? segmentNameFor(row.tenant.slug),
      underlayMtu: row.tenant.underlayMtu,
    },
    tunnel: {
      ordinal: row.tunnel.ordinal,
      name: row.tunnel.name,
      source: await endpoint(source),
      avs: await endpoint(avs),
      psk: row.tunnel.pskCiphertext ? await decryptSecret(row.tunnel.pskCiphertext, options.secretsKey, SECRET_PURPOSE.psk) : null,
      sourcePlatform: row.tunnel.sourcePlatform,
      ipsecSuite: row.tunnel.ipsecSuite,
    },
    pair,
    stretch:
      row.tenant.stretchStage !== "extending" && row.tenant.cutoverGatewayAddress && row.tenant.cutoverTier1Id
        ? { stage: row.tenant.stretchStage, gatewayAddress: row.tenant.cutoverGatewayAddress, tier1Id: row.tenant.cutoverTier1Id, sourceInterface: row.tenant.sourceGatewayInterface }
        : null,
    consoleUrl: options.consoleUrl,
  });
  if (!parsed.ok) {
    const detail = Object.entries(parsed.errors).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; ");
    return { ok: false, status: 409, message: `This tunnel's stored settings cannot be rendered safely (${detail}). Edit them and try again.` };
  }
  return { ok: true, context: parsed.context, tenantId: row.tenant.id, tunnelName: row.tunnel.name };
}

/**
 * The tenant's other tunnel, as the pair's partner, or null when there is none. A tenant has at
 * most two tunnels, and two are always a pair: a partner without both ends cannot be named, and
 * configuring this tunnel alone would let the two bridge at once, so that is refused by the caller.
 */
async function loadPartner(db: Database, tenantId: string, tunnelId: string) {
  const [other] = await db.select().from(tunnels).where(and(eq(tunnels.tenantId, tenantId), ne(tunnels.id, tunnelId)));
  if (!other) return null;
  const ends = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, other.id));
  const source = ends.find((e) => e.side === "source");
  const avs = ends.find((e) => e.side === "avs");
  if (!source || !avs) return "incomplete" as const;
  return {
    partner: { ordinal: other.ordinal, name: other.name, sourceHostname: source.hostname, sourceUnderlayIp: source.underlayIp, avsHostname: avs.hostname, avsUnderlayIp: avs.underlayIp },
  };
}
