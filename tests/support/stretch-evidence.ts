/**
 * A realistic stretch for the pre-checks' tests: Contoso (192.168.10.0/24) with an active/standby
 * pair of tunnels, halfway through a migration from Proxmox (KVM MACs 52:54:00:…) to AVS (VMware
 * MACs 00:50:56:…). Its agents report every 30 s; each test changes what it is about.
 */
import type { MacReport } from "@/lib/db/schema";
import type { EndEvidence, StretchEvidence, TunnelEvidence } from "@/lib/stretch/checks/types";

export const NOW = new Date("2026-11-21T10:00:00Z");
export const STALE_AFTER_MS = 90_000;

export const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

/** n VMware-style MACs (the VMs already in AVS). */
export const vmwareMacs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `00:50:56:a1:00:${(from + i).toString(16).padStart(2, "0")}`);
/** n KVM-style MACs (the VMs still on Proxmox). */
export const kvmMacs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `52:54:00:3c:00:${(from + i).toString(16).padStart(2, "0")}`);

/** The source site's router, which holds 192.168.10.1 today. */
export const SOURCE_ROUTER_MAC = "00:1b:54:c2:10:01";
/** A pair's ARP-sweep MAC (lib/gateway/pair.ts sweepMac): a gateway's own probe, not a host. */
export const SWEEP_MAC = "02:62:68:11:00:6e";

export function macReport(local: string[], tunnel: string[], probe: MacReport["gatewayProbe"] = null): MacReport {
  return { local, tunnel, truncated: false, gatewayProbe: probe };
}

export function end(side: EndEvidence["side"], hostname: string, overrides: Partial<EndEvidence> = {}): EndEvidence {
  return {
    side,
    hostname,
    lastSampleAt: ago(12),
    macReport: null,
    macReportedAt: ago(12),
    learnedMacs: null,
    traffic: { bytes: 40_000, seconds: 900 },
    ...overrides,
  };
}

/**
 * Contoso mid-migration: 14 workloads in AVS, 2 still at the source plus its router; the
 * agents probe 192.168.10.1 and the router answers at the source.
 */
export function contosoEvidence(overrides: Partial<StretchEvidence> = {}): StretchEvidence {
  const inAvs = vmwareMacs(14);
  const atSource = [...kvmMacs(2), SOURCE_ROUTER_MAC];
  const probe = (answeredBy: string[]) => ({ address: "192.168.10.1", answeredBy });
  const source = (hostname: string) =>
    end("source", hostname, { macReport: macReport([...atSource, SWEEP_MAC], inAvs, probe([SOURCE_ROUTER_MAC])), learnedMacs: atSource.length });
  const avs = (hostname: string) => end("avs", hostname, { macReport: macReport(inAvs, atSource, probe([])), learnedMacs: inAvs.length });
  const tunnels: TunnelEvidence[] = [
    { id: "t1", name: "primary", ordinal: 1, status: "operational", ends: { source: source("contoso-gw1"), avs: avs("contoso-bridge1") } },
    { id: "t2", name: "standby", ordinal: 2, status: "operational", ends: { source: source("contoso-gw2"), avs: avs("contoso-bridge2") } },
  ];
  return {
    now: NOW,
    staleAfterMs: STALE_AFTER_MS,
    tenant: { slug: "contoso", subnet: "192.168.10.0/24", stage: "cutover-planned", gatewayLocation: "source" },
    plan: { gatewayAddress: "192.168.10.1/24", tier1Id: "TNT42-T1" },
    tunnels,
    warnings: [],
    cloud: { name: "avs-weu-01", tier1Gateways: [{ id: "TNT42-T1", displayName: "TNT42-T1" }], lastSyncedAt: ago(300) },
    addressConflicts: [],
    segment: { state: "ready", gatewayAddress: null, tier1GatewayId: "TNT42-T1", portVifs: [], checkedAt: ago(120) },
    ...overrides,
  };
}

/** Rewrites every end of every tunnel. */
export function withEnds(evidence: StretchEvidence, change: (end: EndEvidence) => EndEvidence): StretchEvidence {
  return {
    ...evidence,
    tunnels: evidence.tunnels.map((t) => ({ ...t, ends: Object.fromEntries(Object.entries(t.ends).map(([side, e]) => [side, change(e)])) })),
  };
}
