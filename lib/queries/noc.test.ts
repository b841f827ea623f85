import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { privateClouds, telemetrySamples, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { describeEachDatabase } from "@/tests/support/databases";
import { getNocSnapshotBefore } from "@/tests/support/noc-snapshot-before";
import { getNocSnapshot, NOC_LIMITS, NOC_SHARE_MS, roundRtt, roundSparklinePoint, wallMessage, type NocSnapshot } from "./noc";
import { nocSnapshotCache } from "./noc-cache";

const NOW = new Date("2025-06-01T12:00:30Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;

/** Personal and network details that must never reach a wall screen. */
const SECRETS = {
  contactNames: ["Zebulon Quartermain", "Philippa Osei-Brandt"],
  contactEmails: ["zebulon.q@northwind.example", "pippa@adatum.example"],
  contactPhone: "+31 20 555 0199",
  tenantUnderlayIps: ["203.0.113.77", "203.0.113.88"],
  endpointIps: ["198.51.100.41", "10.120.9.41", "198.51.100.42", "10.120.9.42", "2001:db8:77::41"],
};

type Seeded = { tunnelOf: Record<string, string> };

/** An endpoint's stored pair role, reported `reportedAgo` ms ago, held for an hour. */
const role = (pairRole: "active" | "standby", reportedAgo: number) => ({ pairRole, pairSince: ago(3600_000), pairReason: "elected", pairReportedAt: ago(reportedAgo) });

async function seed(db: Database): Promise<Seeded> {
  const [cloud] = await db
    .insert(privateClouds)
    .values({ azureResourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/noc", subscriptionId: "s", resourceGroup: "rg", name: "noc", region: "westeurope", networkBlock: "10.120.0.0/22" })
    .returning();
  const base = { privateCloudId: cloud!.id, sourceEnvironment: "other" as const, transport: "ipsec-vpn" as const, gatewayLocation: "source" as const };
  const [northwind, adatum, gone] = await db
    .insert(tenants)
    .values([
      {
        ...base,
        slug: "northwind",
        displayName: "Northwind Traders",
        subnet: "172.20.1.0/24",
        sourceGatewayUnderlayIp: SECRETS.tenantUnderlayIps[0]!,
        state: "active",
        contacts: [{ name: SECRETS.contactNames[0]!, email: SECRETS.contactEmails[0]!, phone: SECRETS.contactPhone }],
      },
      {
        ...base,
        slug: "adatum",
        displayName: "Adatum",
        subnet: "172.20.2.0/24",
        sourceGatewayUnderlayIp: SECRETS.tenantUnderlayIps[1]!,
        state: "active",
        contacts: [{ name: SECRETS.contactNames[1]!, email: SECRETS.contactEmails[1]! }],
      },
      { ...base, slug: "gone", displayName: "Gone Ltd", subnet: "172.20.3.0/24", sourceGatewayUnderlayIp: "203.0.113.99", state: "offboarded" },
    ])
    .returning();
  const tunnelRows = await db
    .insert(tunnels)
    .values([
      { tenantId: northwind!.id, ordinal: 2, name: "redundant", status: "down", statusChangedAt: ago(7 * MIN) },
      { tenantId: northwind!.id, ordinal: 1, name: "primary", status: "operational", statusChangedAt: ago(3 * 3600_000) },
      { tenantId: adatum!.id, ordinal: 1, name: "primary", status: "degraded", statusChangedAt: ago(20 * MIN) },
      { tenantId: gone!.id, ordinal: 1, name: "primary", status: "stale", statusChangedAt: ago(30 * 86400_000) },
    ])
    .returning();
  const tunnelOf = Object.fromEntries(tunnelRows.map((t) => [`${[northwind, adatum, gone].find((x) => x!.id === t.tenantId)!.slug}/${t.name}`, t.id]));
  const endpoints = await db
    .insert(tunnelEndpoints)
    .values([
      // Northwind's two tunnels are a pair: tunnel 1's ends report it carries the traffic; tunnel 2's
      // source gateway reported standby, but five minutes ago, which no longer says what it does.
      { tunnelId: tunnelOf["northwind/primary"]!, side: "source", hostname: "nw-gw1", underlayIp: SECRETS.endpointIps[0]!, lastSampleAt: ago(10_000), ...role("active", 10_000) },
      { tunnelId: tunnelOf["northwind/primary"]!, side: "avs", hostname: "nw-bridge1", underlayIp: SECRETS.endpointIps[1]!, lastSampleAt: ago(12_000), ...role("active", 12_000) },
      { tunnelId: tunnelOf["northwind/redundant"]!, side: "source", hostname: "nw-gw2", underlayIp: SECRETS.endpointIps[2]!, lastSampleAt: ago(5 * MIN), ...role("standby", 5 * MIN) },
      { tunnelId: tunnelOf["northwind/redundant"]!, side: "avs", hostname: "nw-bridge2", underlayIp: SECRETS.endpointIps[3]!, lastSampleAt: null },
      { tunnelId: tunnelOf["adatum/primary"]!, side: "source", hostname: "ad-gw1", underlayIp: SECRETS.endpointIps[4]!, lastSampleAt: ago(40_000) },
      // The offboarded tenant's agent is the newest of all: it must not make the fleet look fresh.
      { tunnelId: tunnelOf["gone/primary"]!, side: "source", hostname: "gone-gw1", underlayIp: "198.51.100.99", lastSampleAt: ago(1_000) },
    ])
    .returning();
  const endpoint = (tunnel: string, side: "source" | "avs") => endpoints.find((e) => e.tunnelId === tunnelOf[tunnel] && e.side === side)!.id;

  await db.insert(telemetrySamples).values([
    // northwind/primary: both ends report; the minute 30 min ago averages 10 and 12 ms.
    { endpointId: endpoint("northwind/primary", "source"), measuredAt: ago(30 * MIN), rttMs: 10 },
    { endpointId: endpoint("northwind/primary", "avs"), measuredAt: ago(30 * MIN), rttMs: 12 },
    { endpointId: endpoint("northwind/primary", "source"), measuredAt: ago(10_000), rttMs: 14.04 },
    // Its AVS end counts 3 Mbit/s arriving from the source and 2 Mbit/s sent back; its source end sends no counters.
    { endpointId: endpoint("northwind/primary", "avs"), measuredAt: ago(42_000), txBytes: 0, rxBytes: 0 },
    { endpointId: endpoint("northwind/primary", "avs"), measuredAt: ago(12_000), rttMs: 14.5, txBytes: 7_500_000, rxBytes: 11_250_000 },
    // northwind/redundant: last heard 5 min ago, so it has history but no "latest" RTT.
    { endpointId: endpoint("northwind/redundant", "source"), measuredAt: ago(5 * MIN), rttMs: 33.333 },
    // adatum/primary: a LAN-like link, sub-millisecond.
    // Its source end sends 1 Mbit/s toward AVS and receives 0.5 Mbit/s.
    { endpointId: endpoint("adatum/primary", "source"), measuredAt: ago(70_000), txBytes: 1_000_000, rxBytes: 0 },
    { endpointId: endpoint("adatum/primary", "source"), measuredAt: ago(40_000), rttMs: 0.4567, txBytes: 4_750_000, rxBytes: 1_875_000 },
  ]);

  const warning = (over: Partial<typeof warnings.$inferInsert> & { severity: "info" | "warning" | "critical"; openedAt: Date }) => ({
    tenantId: northwind!.id,
    tunnelId: tunnelOf["northwind/primary"]!,
    kind: "latency-objective",
    dedupeKey: `k-${Math.random()}`,
    message: "Something is off.",
    ...over,
  });
  await db.insert(warnings).values([
    warning({ severity: "warning", openedAt: ago(50 * MIN), kind: "jitter", message: "Jitter is high." }),
    warning({ severity: "critical", openedAt: ago(2 * MIN), tunnelId: tunnelOf["northwind/redundant"]!, kind: "tunnel-down", message: "No traffic crosses the tunnel." }),
    warning({
      severity: "critical",
      openedAt: ago(9 * MIN),
      tenantId: adatum!.id,
      tunnelId: tunnelOf["adatum/primary"]!,
      kind: "path-mtu",
      message: `Probes from ${SECRETS.endpointIps[4]} to ${SECRETS.endpointIps[1]} fail; mail ${SECRETS.contactEmails[1]} for access. Second sentence with ${SECRETS.tenantUnderlayIps[1]}.`,
    }),
    warning({
      severity: "info",
      openedAt: ago(90 * MIN),
      tenantId: adatum!.id,
      tunnelId: null,
      kind: "single-point-of-failure",
      message: `adatum has one tunnel behind ${SECRETS.tenantUnderlayIps[1]}.`,
    }),
    warning({ severity: "warning", openedAt: ago(5 * MIN), state: "acknowledged", kind: "loss", message: "Loss at 2 %." }),
    warning({ severity: "critical", openedAt: ago(100 * MIN), state: "resolved", kind: "tunnel-down", message: "Resolved long ago." }),
    warning({ severity: "critical", openedAt: ago(200 * MIN), tenantId: gone!.id, tunnelId: tunnelOf["gone/primary"]!, kind: "stale", message: "Offboarded." }),
  ]);
  return { tunnelOf };
}

describeEachDatabase("NOC snapshot", ({ handle }) => {
  let snapshot: NocSnapshot;
  let seeded: Seeded;
  beforeAll(async () => {
    seeded = await seed(handle().db);
    snapshot = await getNocSnapshot(handle().db, NOW);
  });

  it("shows every tunnel of every tenant in service, in a stable order, counted by status", () => {
    expect(snapshot.tiles.map((t) => t.label)).toEqual(["adatum/primary", "northwind/primary", "northwind/redundant"]);
    expect(snapshot.counts).toEqual({ operational: 1, degraded: 1, down: 1, stale: 0, maintenance: 0 });
    expect(snapshot.tiles.map((t) => t.status)).toEqual(["degraded", "operational", "down"]);
    expect(snapshot.tiles[2]).toMatchObject({ tunnelId: seeded.tunnelOf["northwind/redundant"], statusChangedAt: ago(7 * MIN).toISOString() });
  });

  it("says which tunnel of a pair carries the traffic, from recent role reports only, and nothing for a tenant with one tunnel", () => {
    expect(Object.fromEntries(snapshot.tiles.map((t) => [t.label, t.pairRole]))).toEqual({
      "adatum/primary": null,
      "northwind/primary": "carrying",
      "northwind/redundant": "unknown",
    });
  });

  it("gives each tile its latest RTT (both ends averaged, rounded), none when the tunnel has gone quiet", () => {
    const rtt = Object.fromEntries(snapshot.tiles.map((t) => [t.label, t.rttMs]));
    expect(rtt).toEqual({ "northwind/primary": 14.3, "northwind/redundant": null, "adatum/primary": 0.46 });
  });

  it("gives each tile its throughput each way from the agents' counters, from the AVS end when the source end counts nothing, none when quiet", () => {
    const throughput = Object.fromEntries(snapshot.tiles.map((t) => [t.label, t.throughput]));
    expect(throughput).toEqual({
      "northwind/primary": { toAvsBps: 3_000_000, fromAvsBps: 2_000_000 },
      "northwind/redundant": null,
      "adatum/primary": { toAvsBps: 1_000_000, fromAvsBps: 500_000 },
    });
  });

  it("draws the last hour as 60 one-minute points, with gaps where nothing was measured", () => {
    const byLabel = Object.fromEntries(snapshot.tiles.map((t) => [t.label, t.sparkline]));
    for (const line of Object.values(byLabel)) expect(line).toHaveLength(NOC_LIMITS.sparklineMinutes);
    const primary = byLabel["northwind/primary"]!;
    // The last point is the current minute; 30 minutes ago is 30 points before it.
    expect(primary[59]).toBe(14);
    expect(primary[29]).toBe(11);
    expect(primary.filter((v) => v !== null)).toHaveLength(2);
    expect(byLabel["northwind/redundant"]![54]).toBe(33);
    expect(byLabel["adatum/primary"]![58]).toBe(0.46);
  });

  it("knows how fresh the fleet's telemetry is, ignoring offboarded tenants", () => {
    expect(snapshot.generatedAt).toBe(NOW.toISOString());
    expect(snapshot.newestSampleAt).toBe(ago(10_000).toISOString());
    expect(snapshot.sampleIntervalMs).toBe(30_000);
  });

  it("lists open and acknowledged warnings worst first, then oldest first, and counts them", () => {
    expect(snapshot.warnings.map((w) => [w.severity, w.label, w.title, w.acknowledged])).toEqual([
      ["critical", "adatum/primary", "Path MTU too small", false],
      ["critical", "northwind/redundant", "Tunnel down", false],
      ["warning", "northwind/primary", "Jitter", false],
      ["warning", "northwind/primary", "Packet loss", true],
      ["info", "adatum", "Single point of failure", false],
    ]);
    expect(snapshot.warningCounts).toEqual({ critical: 2, warning: 2, info: 1 });
    expect(snapshot.warnings[0]!.message).toBe("Probes from [address] to [address] fail; mail [address] for access.");
  });

  it("is the same snapshot read in slices as in one piece", async () => {
    // sliceMs 0: the loop turns after every row and tile, the most a refresh can be cut up.
    expect(await getNocSnapshot(handle().db, NOW, { sliceMs: 0 })).toEqual(await getNocSnapshot(handle().db, NOW, { sliceMs: Number.POSITIVE_INFINITY }));
    expect(await getNocSnapshot(handle().db, NOW, { sliceMs: 0 })).toEqual(snapshot);
  });

  it("is the same snapshot read a row per page, in pages of two, and in one statement per read", async () => {
    // One row per page: every tile and every end is the first of a page and the last of one, and
    // the offboarded tenant between them in the keyset's order is left out of every page.
    expect(await getNocSnapshot(handle().db, NOW, { pageRows: 1 })).toEqual(snapshot);
    expect(await getNocSnapshot(handle().db, NOW, { pageRows: 2, sliceMs: 0 })).toEqual(snapshot);
    expect(await getNocSnapshot(handle().db, NOW, { pageRows: Number.POSITIVE_INFINITY })).toEqual(snapshot);
  });

  it("is exactly the snapshot drizzle's rows made before, at the same clock and in pages", async () => {
    // The tile rows now come from the driver with their ends folded in (noc-tiles.ts); the wall
    // must not see the difference. Offboarded tenant, a tunnel with one end, roles old and new.
    expect(await getNocSnapshotBefore(handle().db, NOW)).toEqual(snapshot);
    expect(await getNocSnapshotBefore(handle().db, NOW, { pageRows: 1 })).toEqual(await getNocSnapshot(handle().db, NOW, { pageRows: 1 }));
    // 100 s later every pair report is past its 90 s and every RTT stale: both agree on that too.
    const later = new Date(NOW.getTime() + 100_000);
    const [before, now] = [await getNocSnapshotBefore(handle().db, later), await getNocSnapshot(handle().db, later)];
    expect(now).toEqual(before);
    expect(now.tiles.find((t) => t.label === "northwind/primary")!.pairRole).toBe("unknown");
  });

  it("keeps one snapshot for every wall, dated when it was read, and its JSON and ETag with it", async () => {
    let clock = NOW.getTime();
    const cache = nocSnapshotCache(handle().db, { now: () => clock, schedule: () => ({ cancel() {} }) });
    const first = (await cache.get()).value;
    expect(first.snapshot.generatedAt).toBe(NOW.toISOString());
    expect(JSON.parse(first.body.toString("utf8"))).toEqual(snapshot);
    // Served 4 s later: the same read, still dated when it was read.
    clock += NOC_SHARE_MS - 1_000;
    const again = (await cache.get()).value;
    expect(again).toBe(first);
    expect(JSON.parse(again.body.toString("utf8")).generatedAt).toBe(NOW.toISOString());
  });

  it("carries no personal data and no addresses: no contacts, no e-mails, no underlay IPs", () => {
    const json = JSON.stringify(snapshot);
    for (const secret of [...SECRETS.contactNames, ...SECRETS.contactEmails, SECRETS.contactPhone, ...SECRETS.tenantUnderlayIps, ...SECRETS.endpointIps]) {
      expect(json).not.toContain(secret);
    }
    // Nor anything else that looks like an address, nor the tenants' display names and gateway host names.
    expect(json).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(json).not.toMatch(/@/);
    for (const name of ["Northwind Traders", "nw-gw1", "ad-gw1"]) expect(json).not.toContain(name);
  });
});

describe("roundRtt", () => {
  it.each([
    [0.4567, 0.46],
    [14.04, 14],
    [99.96, 100],
    [153.4, 153],
    [null, null],
    [Number.NaN, null],
  ])("%s ms becomes %s", (input, output) => expect(roundRtt(input)).toBe(output));
});

describe("roundSparklinePoint", () => {
  it.each([
    [0.4567, 0.46],
    [4.04, 4],
    [9.96, 10],
    [14.5, 15],
    [153.4, 153],
    [null, null],
  ])("%s ms becomes %s", (input, output) => expect(roundSparklinePoint(input)).toBe(output));
});

describe("wallMessage", () => {
  it("masks IPv4, IPv6 and e-mail addresses and keeps the first sentence", () => {
    expect(wallMessage("Both tunnels leave through 192.0.2.1 and 2001:db8::1; ask ops@example.com. Then fix it.")).toBe(
      "Both tunnels leave through [address] and [address]; ask [address].",
    );
    expect(wallMessage("Hop fe80:0:0:0:204:61ff:fe9d:f156 and 10.0.0.0/8 differ.")).toBe("Hop [address] and [address] differ.");
  });

  it("leaves times and ratios alone", () => {
    expect(wallMessage("Down since 12:30:05, loss 2.5 % (1:4).")).toBe("Down since 12:30:05, loss 2.5 % (1:4).");
  });

  it("cuts a long sentence at a word with an ellipsis", () => {
    const long = `${"word ".repeat(60)}end.`;
    const cut = wallMessage(long);
    expect(cut.length).toBeLessThanOrEqual(NOC_LIMITS.messageChars);
    expect(cut).toMatch(/word…$/);
  });

  it("cuts between graphemes: never inside an emoji's ZWJ sequence, a flag or a letter with its accent", () => {
    const room = NOC_LIMITS.messageChars - 1;
    const firefighter = "\u{1F469}\u200D\u{1F692}"; // woman + ZWJ + fire engine: one symbol, 5 UTF-16 units
    const flag = "\u{1F1E9}\u{1F1EA}"; // two regional indicators: one flag, 4 units
    const accented = "e\u0301"; // e + combining acute: one letter, 2 units
    // No space past the middle, so each is cut where the room ends: the symbol that straddles
    // that point is left out whole.
    expect(wallMessage(`${"a".repeat(room - 3)}${firefighter}${"b".repeat(10)}`)).toBe(`${"a".repeat(room - 3)}…`);
    expect(wallMessage(`${"a".repeat(room - 2)}${flag}${"b".repeat(10)}`)).toBe(`${"a".repeat(room - 2)}…`);
    expect(wallMessage(`${"a".repeat(room - 1)}${accented}${"b".repeat(10)}`)).toBe(`${"a".repeat(room - 1)}…`);
    // One that fits ends where the room does, kept whole with what came before it.
    const fits = wallMessage(`${"a".repeat(room - 9)}${flag}${firefighter}${"b".repeat(10)}`);
    expect(fits).toBe(`${"a".repeat(room - 9)}${flag}${firefighter}…`);
    expect(fits.length).toBeLessThanOrEqual(NOC_LIMITS.messageChars);
    // Cut at a word, the words before it keep their emoji whole.
    const words = wallMessage(`${`${firefighter} ${flag} `.repeat(20)}end.`);
    expect(words.length).toBeLessThanOrEqual(NOC_LIMITS.messageChars);
    expect(words).toMatch(new RegExp(`^(${firefighter} ${flag} )*(${firefighter}|${firefighter} ${flag})…$`, "u"));
  });
});
