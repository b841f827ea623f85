import { beforeAll, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { privateClouds, tenants, tunnels, warnings } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { listFleetWarnings, listTenantsWithWarnings, listTenantWarnings, warningListParams } from "./warnings";

const T0 = new Date("2025-06-01T12:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** Filters as the URL would give them. */
const params = (query: Record<string, string> = {}) => warningListParams.parse(query);

describeEachDatabase("warning lists", ({ handle }) => {
  let db: Database;
  let ids: Record<string, string>;

  beforeAll(async () => {
    db = handle().db;
    const [cloud] = await db
      .insert(privateClouds)
      .values({ azureResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/w", subscriptionId: "s", resourceGroup: "rg", name: "w", region: "westeurope", networkBlock: "10.120.0.0/22" })
      .returning();
    const base = { privateCloudId: cloud!.id, sourceEnvironment: "other" as const, transport: "ipsec-vpn" as const, gatewayLocation: "source" as const, sourceGatewayUnderlayIp: "203.0.113.1" };
    const [northwind, adatum, gone] = await db
      .insert(tenants)
      .values([
        { ...base, slug: "northwind", displayName: "Northwind", subnet: "172.20.1.0/24", state: "active" },
        { ...base, slug: "adatum", displayName: "Adatum", subnet: "172.20.2.0/24", state: "active" },
        { ...base, slug: "gone", displayName: "Gone Ltd", subnet: "172.20.3.0/24", state: "offboarded" },
      ])
      .returning();
    const [tunnel] = await db.insert(tunnels).values({ tenantId: northwind!.id, ordinal: 1, name: "primary" }).returning();
    const rows = await db
      .insert(warnings)
      .values([
        // northwind: a mix of severities, ages and states.
        { tenantId: northwind!.id, tunnelId: tunnel!.id, kind: "loss", severity: "warning", dedupeKey: "nw:loss", message: "loss", openedAt: minutes(10) },
        { tenantId: northwind!.id, tunnelId: tunnel!.id, kind: "tunnel-down", severity: "critical", dedupeKey: "nw:down", message: "down", openedAt: minutes(30) },
        { tenantId: northwind!.id, tunnelId: null, kind: "stretch-past-cutover", severity: "info", dedupeKey: "nw:cutover", message: "cutover", openedAt: minutes(0) },
        {
          tenantId: northwind!.id,
          tunnelId: tunnel!.id,
          kind: "jitter",
          severity: "critical",
          dedupeKey: "nw:jitter",
          message: "jitter",
          openedAt: minutes(20),
          state: "acknowledged",
          acknowledgedAt: minutes(25),
          acknowledgedBy: "admin@bridgehead.example",
        },
        ...[1, 2, 3].map((n) => ({
          tenantId: northwind!.id,
          tunnelId: tunnel!.id,
          kind: "stale",
          severity: "critical" as const,
          dedupeKey: `nw:old-${n}`,
          message: `old ${n}`,
          openedAt: minutes(-100 - n),
          state: "resolved" as const,
          resolvedAt: minutes(-50 + n),
          resolvedBy: "system",
        })),
        // adatum: an older critical than northwind's, so "oldest first" is tested across tenants.
        { tenantId: adatum!.id, kind: "tunnel-down", severity: "critical", dedupeKey: "ad:down", message: "down", openedAt: minutes(5) },
        { tenantId: adatum!.id, kind: "loss", severity: "info", dedupeKey: "ad:loss", message: "loss", openedAt: minutes(1) },
        // gone: offboarded; its stray warning is history, not work.
        { tenantId: gone!.id, kind: "tunnel-down", severity: "critical", dedupeKey: "gone:down", message: "down", openedAt: minutes(-1_000) },
      ])
      .returning({ id: warnings.id, dedupeKey: warnings.dedupeKey });
    ids = Object.fromEntries(rows.map((r) => [r.dedupeKey, r.id]));
  });

  const keys = (rows: { id: string }[]) => rows.map((row) => Object.keys(ids).find((key) => ids[key] === row.id));

  it("lists the fleet's active warnings worst first, then oldest first, without resolved ones or offboarded tenants", async () => {
    const { rows, total, pages } = await listFleetWarnings(db, params());
    expect(keys(rows)).toEqual(["ad:down", "nw:jitter", "nw:down", "nw:loss", "nw:cutover", "ad:loss"]);
    expect(total).toBe(6);
    expect(pages).toBe(1);
    expect(rows.find((r) => r.id === ids["nw:jitter"])).toMatchObject({
      tenantSlug: "northwind",
      tunnelName: "primary",
      state: "acknowledged",
      acknowledgedBy: "admin@bridgehead.example",
      acknowledgedAt: minutes(25).toISOString(),
    });
    expect(rows.find((r) => r.id === ids["nw:cutover"])!.tunnelName).toBeNull();
  });

  it("filters by severity, kind and tenant, alone and together, as the overview's links ask", async () => {
    expect(keys((await listFleetWarnings(db, params({ severity: "critical" }))).rows)).toEqual(["ad:down", "nw:jitter", "nw:down"]);
    expect(keys((await listFleetWarnings(db, params({ kind: "loss" }))).rows)).toEqual(["nw:loss", "ad:loss"]);
    expect(keys((await listFleetWarnings(db, params({ tenant: "adatum" }))).rows)).toEqual(["ad:down", "ad:loss"]);
    const combined = await listFleetWarnings(db, params({ kind: "tunnel-down", severity: "critical", tenant: "northwind" }));
    expect(keys(combined.rows)).toEqual(["nw:down"]);
    expect(combined.total).toBe(1);
    expect((await listFleetWarnings(db, params({ tenant: "nobody" }))).rows).toEqual([]);
  });

  it("pages without losing or repeating a warning", async () => {
    const first = await listFleetWarnings(db, params(), 4);
    const second = await listFleetWarnings(db, params({ page: "2" }), 4);
    expect(first.pages).toBe(2);
    expect([...keys(first.rows), ...keys(second.rows)]).toEqual(["ad:down", "nw:jitter", "nw:down", "nw:loss", "nw:cutover", "ad:loss"]);
  });

  it("lists a tenant's open warnings before acknowledged ones, and the newest resolved ones as past", async () => {
    const northwind = (await db.select({ id: tenants.id, slug: tenants.slug }).from(tenants)).find((t) => t.slug === "northwind")!;
    const list = await listTenantWarnings(db, northwind.id, { past: 2 });
    expect(keys(list.active)).toEqual(["nw:down", "nw:loss", "nw:cutover", "nw:jitter"]);
    expect(keys(list.past)).toEqual(["nw:old-3", "nw:old-2"]);
    expect(list.past[0]).toMatchObject({ state: "resolved", resolvedBy: "system", resolvedAt: minutes(-47).toISOString() });
  });

  it("offers the tenants with active warnings for the filter, with their counts", async () => {
    expect(await listTenantsWithWarnings(db)).toEqual([
      { slug: "adatum", displayName: "Adatum", active: 2 },
      { slug: "northwind", displayName: "Northwind", active: 4 },
    ]);
  });
});

it("reads filters from the URL, falling back to 'any' for values it does not know", () => {
  expect(params({ severity: "critical", kind: "loss", tenant: "Contoso", page: "3" })).toEqual({ severity: "critical", kind: "loss", tenant: "contoso", page: 3 });
  expect(params({ severity: "", kind: "", tenant: "" })).toEqual({ page: 1 });
  expect(params({ severity: "catastrophic", kind: "constructor", tenant: "x'; drop table warnings;--", page: "-2" })).toEqual({ page: 1 });
});
