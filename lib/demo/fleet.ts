/**
 * The embedded mode's gateways: a simulated agent on both ends of every demo tunnel, posting to
 * this very console through its public ingest API with the tokens the demo seed issued. Each demo
 * tenant plays the scenario lib/demo/seed.ts gives it.
 */
import "server-only";
import { and, eq, inArray, isNotNull, notInArray } from "drizzle-orm";
import type { AppConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { DEMO_PAIR_FAILOVERS, DEMO_SCENARIOS } from "./seed";
import { computeMtuBudget } from "@/lib/domain/mtu";
import { decryptSecret, getSecretsKey, SECRET_PURPOSE, SecretUnreadableError } from "@/lib/secrets";
import { loadTlsMaterial } from "@/lib/server/tls";
import { seedFromId, startSimulatedFleet, type FleetOptions, type SimulatedAgent, type SimulatedFleet } from "@/lib/fleet/simulator";

export async function startDemoFleet(
  db: Database,
  config: AppConfig,
  options: Pick<FleetOptions, "intervalMs" | "backfillMs" | "log"> = {},
): Promise<SimulatedFleet> {
  const log = options.log ?? ((message: string) => console.warn(`[fleet] ${message}`));
  const agents = await loadDemoAgents(db, getSecretsKey(config), log);

  let ca: string | undefined;
  let servername: string | undefined;
  if (config.tls.enabled) {
    const tls = await loadTlsMaterial(config);
    // The self-signed certificate names localhost and 127.0.0.1, so trusting it alone is
    // enough. An operator's certificate chains to a CA the system trusts, but names the
    // public host rather than the loopback address we connect to.
    if (tls.selfSigned) ca = tls.cert;
    else servername = new URL(config.publicUrl).hostname;
  }
  const fleet = startSimulatedFleet({ ...options, log, consoleUrl: loopbackUrl(config), agents, ca, servername });
  log(`${agents.length} simulated agents posting to ${loopbackUrl(config)} every ${(options.intervalMs ?? 10_000) / 1000} s`);
  return fleet;
}

/**
 * The console's own listener, reached over loopback: PUBLIC_URL may name a proxy or a DNS name
 * this machine cannot resolve to itself, and the agents are inside the console's own process.
 */
export function loopbackUrl(config: Pick<AppConfig, "host" | "port" | "tls">): string {
  const host = config.host === "0.0.0.0" || config.host === "" ? "127.0.0.1" : config.host === "::" ? "[::1]" : config.host.includes(":") ? `[${config.host}]` : config.host;
  return `${config.tls.enabled ? "https" : "http"}://${host}:${config.port}`;
}

/** Both ends of every live demo tunnel that has a token the console can read. */
export async function loadDemoAgents(db: Database, secretsKey: Uint8Array, log: (message: string) => void = () => {}): Promise<SimulatedAgent[]> {
  const rows = await db
    .select({
      endpointId: tunnelEndpoints.id,
      tunnelId: tunnels.id,
      ordinal: tunnels.ordinal,
      tenantId: tenants.id,
      stretchStartedOn: tenants.stretchStartedOn,
      side: tunnelEndpoints.side,
      underlayIp: tunnelEndpoints.underlayIp,
      ciphertext: tunnelEndpoints.agentTokenCiphertext,
      slug: tenants.slug,
      underlayMtu: tenants.underlayMtu,
      encapsulation: tenants.encapsulation,
      transport: tenants.transport,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(
      and(
        inArray(tenants.slug, Object.keys(DEMO_SCENARIOS)),
        notInArray(tenants.state, ["offboarding", "offboarded"]),
        isNotNull(tunnelEndpoints.agentTokenCiphertext),
        isNotNull(tunnelEndpoints.agentTokenHash),
      ),
    );

  const agents: SimulatedAgent[] = [];
  for (const row of rows) {
    const far = rows.find((other) => other.tunnelId === row.tunnelId && other.side !== row.side);
    let token: string;
    try {
      token = await decryptSecret(row.ciphertext!, secretsKey, SECRET_PURPOSE.agentToken);
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      log(`${row.slug} ${row.side} end skipped: ${error.message}`);
      continue;
    }
    const { innerMtu } = computeMtuBudget({ underlayMtu: row.underlayMtu, encapsulation: row.encapsulation, transport: row.transport });
    const source = row.side === "source" ? row.underlayIp : (far?.underlayIp ?? "");
    const avs = row.side === "avs" ? row.underlayIp : (far?.underlayIp ?? "");
    // Two tunnels are a pair: every end reports its role, on one cycle per tenant.
    const paired = new Set(rows.filter((other) => other.tenantId === row.tenantId).map((other) => other.tunnelId)).size > 1;
    agents.push({
      endpointId: row.endpointId,
      token,
      side: row.side,
      scenario: DEMO_SCENARIOS[row.slug]!,
      // Both ends of a tunnel share its seed: one base latency, one set of routers.
      seed: seedFromId(row.tunnelId),
      tunnel: { innerMtu, underlayMtu: row.underlayMtu, sourceUnderlayIp: source, avsUnderlayIp: avs },
      ...(paired ? { pair: { ordinal: row.ordinal === 2 ? 2 : 1, seed: seedFromId(row.tenantId), failover: DEMO_PAIR_FAILOVERS.has(row.slug), steadySince: new Date(row.stretchStartedOn ?? "2026-01-01") } } : {}),
    });
  }
  // A stable order, so each agent keeps its slot in the interval across restarts.
  return agents.sort((a, b) => a.endpointId.localeCompare(b.endpointId));
}
