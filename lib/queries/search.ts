/**
 * The search box's read: tenants by name or slug, the tenant whose subnet holds an address (or
 * whose VLAN or VNI is a number), gateways by host name or underlay address, and where the agents
 * saw a MAC address. The scope is a required argument, applied inside every statement: a tenant's
 * user asks with their own tenant and no statement can return another's row.
 */
import "server-only";
import { and, asc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenants, tunnelEndpoints, tunnels, vlanAllocations } from "@/lib/db/schema";
import { describeNetworkMatch, isSearchable, likeContaining, parseSearchQuery, type SearchQuery } from "@/lib/domain/search-query";

/** Whose rows a search may return: the whole fleet (operators) or one tenant (its users, its tokens). */
export type SearchScope = { kind: "fleet" } | { kind: "tenant"; tenantId: string };

export const SEARCH_KINDS = [
  { kind: "tenant", label: "Tenants" },
  { kind: "network", label: "Networks" },
  { kind: "gateway", label: "Gateways" },
  { kind: "mac", label: "MAC addresses" },
] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number]["kind"];

export type SearchHit = { kind: SearchKind; key: string; title: string; detail: string; href: string };
export type SearchGroup = { kind: SearchKind; label: string; hits: SearchHit[] };
export type SearchResults = { query: string; groups: SearchGroup[] };

/** Per kind: the box is for finding one thing, not for listing the fleet (the tenant list does that). */
export const SEARCH_GROUP_LIMIT = 8;

const SIDE_LABEL = { source: "source", avs: "AVS" } as const;

export async function searchFleet(db: Database, input: string, scope: SearchScope): Promise<SearchResults> {
  const query = parseSearchQuery(input);
  if (!isSearchable(query)) return { query: query.text, groups: [] };
  const inScope = scope.kind === "tenant" ? eq(tenants.id, scope.tenantId) : undefined;
  const [byName, byNetwork, byGateway, byMac] = await Promise.all([
    findTenantsByName(db, query, inScope),
    findNetworks(db, query, inScope),
    findGateways(db, query, inScope),
    findMacs(db, query, inScope),
  ]);
  const hits: Record<SearchKind, SearchHit[]> = { tenant: byName, network: byNetwork, gateway: byGateway, mac: byMac };
  return {
    query: query.text,
    groups: SEARCH_KINDS.map(({ kind, label }) => ({ kind, label, hits: hits[kind] })).filter((group) => group.hits.length > 0),
  };
}

function tenantHref(slug: string, anchor?: string): string {
  return `/t/${encodeURIComponent(slug)}${anchor ? `#${anchor}` : ""}`;
}

async function findTenantsByName(db: Database, query: SearchQuery, inScope: SQL | undefined): Promise<SearchHit[]> {
  if (query.text.length < 2) return [];
  const pattern = likeContaining(query.text);
  const rows = await db
    .select({ slug: tenants.slug, name: tenants.displayName, subnet: tenants.subnet, state: tenants.state })
    .from(tenants)
    .where(and(or(ilike(tenants.displayName, pattern), ilike(tenants.slug, pattern)), inScope))
    .orderBy(asc(tenants.displayName))
    .limit(SEARCH_GROUP_LIMIT);
  return rows.map((row) => ({ kind: "tenant", key: `tenant:${row.slug}`, title: row.name, detail: `${row.slug} · ${row.subnet} · ${row.state}`, href: tenantHref(row.slug) }));
}

async function findNetworks(db: Database, query: SearchQuery, inScope: SQL | undefined): Promise<SearchHit[]> {
  const subnet = sql`(${tenants.subnet}::cidr)`;
  const match = or(
    query.address ? sql`${subnet} >>= ${query.address.canonical}::inet` : undefined,
    query.network ? sql`${subnet} && ${query.network.canonical}::cidr` : undefined,
    query.vlan !== null ? eq(vlanAllocations.vlanId, query.vlan) : undefined,
    query.vni !== null ? eq(vlanAllocations.vni, query.vni) : undefined,
  );
  if (!match) return [];
  const rows = await db
    .select({ slug: tenants.slug, name: tenants.displayName, subnet: tenants.subnet, vlanId: vlanAllocations.vlanId, vni: vlanAllocations.vni })
    .from(tenants)
    .leftJoin(vlanAllocations, and(eq(vlanAllocations.tenantId, tenants.id), eq(vlanAllocations.state, "allocated")))
    .where(and(match, inScope))
    .orderBy(asc(tenants.displayName))
    .limit(SEARCH_GROUP_LIMIT);
  return rows.map((row) => ({
    kind: "network",
    key: `network:${row.slug}`,
    title: row.name,
    detail: [describeNetworkMatch(query, row), row.vlanId === null ? null : `VLAN ${row.vlanId} · VNI ${row.vni}`].filter(Boolean).join(" · "),
    href: tenantHref(row.slug),
  }));
}

async function findGateways(db: Database, query: SearchQuery, inScope: SQL | undefined): Promise<SearchHit[]> {
  const byHost = query.text.length >= 2 ? ilike(tunnelEndpoints.hostname, likeContaining(query.text)) : undefined;
  const byAddress = query.address ? eq(tunnelEndpoints.underlayIp, query.address.canonical) : undefined;
  const endpointMatch = or(byHost, byAddress);
  const [endpoints, declared] = await Promise.all([
    endpointMatch
      ? db
          .select({ id: tunnelEndpoints.id, tunnelId: tunnels.id, tunnel: tunnels.name, side: tunnelEndpoints.side, hostname: tunnelEndpoints.hostname, underlayIp: tunnelEndpoints.underlayIp, slug: tenants.slug, tenant: tenants.displayName })
          .from(tunnelEndpoints)
          .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
          .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
          .where(and(endpointMatch, inScope))
          .orderBy(asc(tunnelEndpoints.hostname))
          .limit(SEARCH_GROUP_LIMIT)
      : [],
    // The source gateway named at onboarding, before (or besides) any tunnel's endpoints.
    query.address
      ? db
          .select({ slug: tenants.slug, tenant: tenants.displayName, underlayIp: tenants.sourceGatewayUnderlayIp })
          .from(tenants)
          .where(and(eq(tenants.sourceGatewayUnderlayIp, query.address.canonical), inScope))
          .orderBy(asc(tenants.displayName))
          .limit(SEARCH_GROUP_LIMIT)
      : [],
  ]);
  const hits: SearchHit[] = endpoints.map((row) => ({
    kind: "gateway",
    key: `endpoint:${row.id}`,
    title: row.hostname,
    detail: `${row.tenant} · ${row.tunnel}, ${SIDE_LABEL[row.side]} end · ${row.underlayIp}`,
    href: tenantHref(row.slug, `tunnel-${row.tunnelId}-heading`),
  }));
  const seen = new Set(endpoints.map((row) => `${row.slug} ${row.underlayIp}`));
  for (const row of declared) {
    if (seen.has(`${row.slug} ${row.underlayIp}`)) continue;
    hits.push({ kind: "gateway", key: `source-gateway:${row.slug}`, title: row.underlayIp, detail: `${row.tenant} · source gateway's underlay address`, href: tenantHref(row.slug) });
  }
  return hits.slice(0, SEARCH_GROUP_LIMIT);
}

async function findMacs(db: Database, query: SearchQuery, inScope: SQL | undefined): Promise<SearchHit[]> {
  if (!query.mac) return [];
  // Containment (@>) reads each end's report once, without unnesting its arrays. No index: every
  // agent report rewrites mac_report, and a GIN index there would tax the ingest (and, without
  // autovacuum on PGlite, slow down as its pending list grows) for a search people run by hand.
  const local = sql<boolean>`${tunnelEndpoints.macReport} @> ${JSON.stringify({ local: [query.mac] })}::jsonb`;
  const remote = sql<boolean>`${tunnelEndpoints.macReport} @> ${JSON.stringify({ tunnel: [query.mac] })}::jsonb`;
  const gateway = sql<boolean>`${tunnelEndpoints.macReport} @> ${JSON.stringify({ gatewayProbe: { answeredBy: [query.mac] } })}::jsonb`;
  const rows = await db
    .select({
      id: tunnelEndpoints.id,
      tunnelId: tunnels.id,
      side: tunnelEndpoints.side,
      hostname: tunnelEndpoints.hostname,
      reportedAt: tunnelEndpoints.macReportedAt,
      slug: tenants.slug,
      tenant: tenants.displayName,
      local,
      remote,
      gateway,
    })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId))
    .where(and(or(local, remote, gateway), inScope))
    .orderBy(asc(tenants.displayName), asc(tunnelEndpoints.hostname))
    .limit(SEARCH_GROUP_LIMIT);
  return rows.map((row) => {
    const where = [
      row.local ? `on ${SIDE_LABEL[row.side]} side's own ports` : null,
      row.remote ? "through the tunnel" : null,
      row.gateway ? "answers for the gateway address" : null,
    ].filter(Boolean);
    return {
      kind: "mac",
      key: `mac:${row.id}`,
      title: query.mac!,
      detail: `${row.tenant} · ${row.hostname}: ${where.join(", ")}${row.reportedAt ? ` · reported ${row.reportedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}`,
      href: tenantHref(row.slug, `tunnel-${row.tunnelId}-heading`),
    };
  });
}
