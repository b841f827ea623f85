/**
 * The active/standby pair's rules on the sequences a real pair produces (timings from
 * tests/gateway-pair-netns.test.ts): a steady pair, a failover when tunnel 1's underlay is cut,
 * the fail-back after the hold-down, a split brain on one side and on both, the two sides picking
 * different tunnels, and gateways set up before the pair existed.
 */
import { describe, expect, it } from "vitest";
import { evaluateTenant } from "./evaluate";
import type { PairEndReport } from "@/lib/domain/pair-role";
import { pairTunnels } from "./pair";
import { pairBothActiveRule } from "./pair-both-active";
import { pairFailoverRule } from "./pair-failover";
import { pairNoActivePathRule } from "./pair-no-active-path";
import { pairStandbyUnhealthyRule } from "./pair-standby-unhealthy";
import { singlePointOfFailureRule } from "./single-point-of-failure";
import { makeInput, pairEnd, pairInputAt, series, T0, TENANT_ID, type PairEnds, type RoleChange } from "@/tests/support/rule-timeline";

const N = 60; // half an hour of samples, one every 30 s
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const ends = (source: RoleChange[], avs: RoleChange[]): PairEnds => ({ source: pairEnd(N, source, 11), avs: pairEnd(N, avs, 29) });

const START = { t1: { source: [{ atS: 0, role: "active", reason: "elected" }], avs: [{ atS: 0, role: "active", reason: "elected" }] }, t2: { source: [{ atS: 0, role: "standby", reason: "peer-active" }], avs: [{ atS: 0, role: "standby", reason: "peer-active" }] } } as const satisfies Record<string, Record<string, RoleChange[]>>;

/**
 * Tunnel 1's underlay is cut at 600 s; the pair moves to tunnel 2 within seconds; tunnel 1's
 * gateway is back in standby at 660 s and takes the traffic back at 1 620 s.
 */
const FAILOVER_AND_BACK = {
  1: ends(
    [...START.t1.source, { atS: 602, role: "fault", reason: "tunnel-silent" }, { atS: 660, role: "standby", reason: "peer-active" }, { atS: 1620, role: "active", reason: "elected" }],
    [...START.t1.avs, { atS: 603, role: "standby", reason: "peer-active" }, { atS: 1622, role: "active", reason: "elected" }],
  ),
  2: ends(
    [...START.t2.source, { atS: 602.3, role: "active", reason: "elected" }, { atS: 1620.1, role: "standby", reason: "peer-active" }],
    [...START.t2.avs, { atS: 604, role: "active", reason: "elected" }, { atS: 1622.1, role: "standby", reason: "peer-active" }],
  ),
};

const pairRules = [pairBothActiveRule, pairNoActivePathRule, pairStandbyUnhealthyRule, pairFailoverRule];
const kindsAt = (seconds: number, tunnels: { 1: PairEnds; 2: PairEnds }) => pairRules.flatMap((rule) => rule(pairInputAt(at(seconds), tunnels))).map((c) => c.kind);

describe("the pair's rules", () => {
  it("say nothing about a steady pair: tunnel 1 active at both ends, tunnel 2 standing by", () => {
    const steady = { 1: ends(START.t1.source, START.t1.avs), 2: ends(START.t2.source, START.t2.avs) };
    for (const seconds of [120, 900, 1770]) expect(kindsAt(seconds, steady), `at ${seconds} s`).toEqual([]);
  });

  it("report a failover with when and why, and the standby that can no longer take over, but no 'no path' for the seconds it takes", () => {
    // Every 30 s through the failover: the few seconds without a path never settle.
    for (let seconds = 570; seconds <= 750; seconds += 30) expect(kindsAt(seconds + 5, FAILOVER_AND_BACK), `at ${seconds} s`).not.toContain("pair-no-active-path");
    const [failover] = pairFailoverRule(pairInputAt(at(645), FAILOVER_AND_BACK));
    expect(failover).toMatchObject({ kind: "pair-failover", severity: "info", tunnelId: null, dedupeKey: `pair-failover:tenant:${TENANT_ID}` });
    expect(failover!.details).toEqual({ at: at(602.3).toISOString(), from: 1, to: 2, failBack: false, reason: "tunnel-silent" });
    expect(failover!.message).toBe(
      "The pair failed over at 09:10:02 UTC: tunnel standby (#2) now carries the traffic instead of tunnel primary (#1), because tunnel primary (#1)'s source gateway went to fault: the other end stopped answering through the tunnel. Workloads lost a few seconds of traffic; check the reason before the pair has to fail over again.",
    );
    const [unhealthy] = pairStandbyUnhealthyRule(pairInputAt(at(645), FAILOVER_AND_BACK));
    expect(unhealthy).toMatchObject({ kind: "pair-standby-unhealthy", severity: "warning", details: { carrying: 2, faults: [{ ordinal: 1, side: "source", reason: "tunnel-silent" }] } });
    expect(unhealthy!.message).toMatch(/^tunnel primary \(#1\) could not take over if tunnel standby \(#2\) failed: its source gateway is in fault since 09:10:02 UTC/);
    // Back in standby (the tunnel answered again): redundant again, the failover still news.
    expect(kindsAt(700, FAILOVER_AND_BACK)).toEqual(["pair-failover"]);
  });

  it("call the return to the primary a fail-back, and forget the failover once it leaves the window", () => {
    const [back] = pairFailoverRule(pairInputAt(at(1650), FAILOVER_AND_BACK));
    expect(back).toMatchObject({ details: { from: 2, to: 1, failBack: true, reason: "peer-active" } });
    expect(back!.message).toBe("The pair failed back at 09:27:00 UTC: tunnel primary (#1), the primary, took the traffic back from tunnel standby (#2) after its hold-down.");
    // Over fifteen minutes after the failover and before the fail-back: nothing left to say.
    expect(kindsAt(602 + 16 * 60, FAILOVER_AND_BACK)).toEqual([]);
  });

  it("open 'both active' when the source gateways stop hearing each other, once it has lasted, and say the edge bridges still hold one tunnel", () => {
    const split = { 1: ends(START.t1.source, START.t1.avs), 2: ends([...START.t2.source, { atS: 300, role: "active", reason: "elected" }], START.t2.avs) };
    // The first report shows it at the moment it began: not yet settled.
    expect(pairBothActiveRule(pairInputAt(at(305), split))).toEqual([]);
    const [both] = pairBothActiveRule(pairInputAt(at(335), split));
    expect(both).toMatchObject({ kind: "pair-both-active", severity: "critical", details: { sides: ["source"], looped: false, agreedSeconds: 30 } });
    expect(both!.message).toMatch(/^Both source gateways are active since 09:05:00 UTC: they do not hear each other's VRRP advertisements between the source gateways on the tenant's LAN/);
    expect(both!.message).toContain("The AVS edge bridges still agree on tunnel primary (#1), so no loop has formed");
  });

  it("say the VLAN is looped when both tunnels are active at both ends, and that storm control is all that holds it", () => {
    const looped = {
      1: ends(START.t1.source, START.t1.avs),
      2: ends([...START.t2.source, { atS: 300, role: "active", reason: "elected" }], [...START.t2.avs, { atS: 301, role: "active", reason: "elected" }]),
    };
    const [both] = pairBothActiveRule(pairInputAt(at(365), looped));
    expect(both).toMatchObject({ details: { sides: ["source", "avs"], looped: true } });
    expect(both!.message).toMatch(/^Both tunnels are active at both ends since 09:05:01 UTC: the stretched VLAN is looped through AVS\. Storm control holds flooded frames \(at most 1000 broadcast and 2000 multicast frames a second per tunnel port\), but frames to hosts the bridges know can circle the loop unlimited\. /);
  });

  it("treat two tunnels whose gateways report no role at all as set up without the pair: a loop risk", () => {
    const old = { 1: { source: series({ count: N, seed: 1 }), avs: series({ count: N, seed: 2 }) }, 2: { source: series({ count: N, seed: 3 }), avs: series({ count: N, seed: 4 }) } };
    const [both] = pairBothActiveRule(pairInputAt(at(900), old));
    expect(both).toMatchObject({ severity: "critical", details: { configured: false } });
    expect(both!.message).toContain("Download both tunnels' bundles again and apply them");
  });

  it("open 'no active path' when the two sides settle on different tunnels, and not while an end is silent", () => {
    const crossed = {
      1: ends(START.t1.source, [...START.t1.avs, { atS: 300, role: "standby", reason: "peer-active" }]),
      2: ends(START.t2.source, [...START.t2.avs, { atS: 300, role: "active", reason: "elected" }]),
    };
    const [none] = pairNoActivePathRule(pairInputAt(at(365), crossed));
    expect(none).toMatchObject({ kind: "pair-no-active-path", severity: "critical", details: { crossed: true } });
    expect(none!.message).toContain("The source side and the AVS side chose different tunnels");
    expect(none!.message).toContain("tunnel primary (#1): the source gateway active, the AVS edge bridge standby.");
    const silent = { ...crossed, 2: { source: crossed[2].source.filter((s) => s.measuredAt.getTime() < at(200).getTime()), avs: crossed[2].avs } };
    expect(pairNoActivePathRule(pairInputAt(at(365), silent))).toEqual([]);
  });

  it("say a standby held by an operator must be resumed", () => {
    const forced = { 1: ends(START.t1.source, START.t1.avs), 2: ends([...START.t2.source, { atS: 200, role: "fault", reason: "forced" }], START.t2.avs) };
    const [unhealthy] = pairStandbyUnhealthyRule(pairInputAt(at(300), forced));
    expect(unhealthy!.message).toContain("an operator holds it in standby (fail over now)");
    expect(unhealthy!.message).toContain("run the pair helper's resume command");
  });

  it("say a standby whose keepalived died is no standby, though its role file still says standby", () => {
    // keepalived on tunnel 2's source gateway is killed at 600 s: no notify runs, so the role file
    // keeps "standby since 0"; from the agent's first run 10 s after the helper's last check, the
    // reports carry the agent's reason for it (telemetry-agent-script.ts: no heartbeat).
    const silentFrom = at(611);
    const gw2 = pairEnd(N, START.t2.source, 11).map((s) => (s.measuredAt.getTime() >= silentFrom.getTime() ? { ...s, pairReason: "keepalived-silent" } : s));
    const dead = { 1: ends(START.t1.source, START.t1.avs), 2: { source: gw2, avs: pairEnd(N, START.t2.avs, 29) } };
    expect(kindsAt(590, dead)).toEqual([]);
    const [unhealthy] = pairStandbyUnhealthyRule(pairInputAt(at(645), dead));
    expect(unhealthy).toMatchObject({ kind: "pair-standby-unhealthy", severity: "warning", details: { carrying: 1, faults: [{ ordinal: 2, side: "source", reason: "keepalived-silent" }] } });
    expect(unhealthy!.message).toBe(
      "tunnel standby (#2) could not take over if tunnel primary (#1) failed: its source gateway has stood by since 09:00:00 UTC, but keepalived stopped running its checks, so its tunnel port stays as it was: restart keepalived there. The pair still carries the traffic, but without a standby one more failure cuts the stretched VLAN.",
    );
    // Nothing else misreads it: no failover, no loop, a path.
    expect(kindsAt(645, dead)).toEqual(["pair-standby-unhealthy"]);
  });

  it("run with every other rule, once per tenant though both tunnels are evaluated", () => {
    const split = { 1: ends(START.t1.source, START.t1.avs), 2: ends([...START.t2.source, { atS: 300, role: "active", reason: "elected" }], START.t2.avs) };
    const one = pairInputAt(at(335), split);
    const other = { ...one, tunnel: { ...one.tunnel, id: one.pair!.tunnels[1]!.id, ordinal: 2 }, sides: one.pair!.tunnels[1]!.sides };
    const evaluation = evaluateTenant([one, other]);
    expect(evaluation.conditions.filter((c) => c.kind === "pair-both-active")).toHaveLength(1);
  });

  it("point a tenant with one tunnel to the pair", () => {
    const [spof] = singlePointOfFailureRule(makeInput({ redundancy: { tunnelCount: 1 } }));
    expect(spof!.message).toContain("the two become an active/standby pair");
  });
});

describe("the pair's views, made once for the four pair rules of both tunnels", () => {
  const split = { 1: ends(START.t1.source, START.t1.avs), 2: ends([...START.t2.source, { atS: 300, role: "active", reason: "elected" }], START.t2.avs) };

  it("are made again for an input with its own clock, though it shares the pair", () => {
    const early = pairInputAt(at(335), split);
    // The same pair judged two minutes later: tunnel 2's source gateway has sent nothing since 335 s.
    const later = { ...early, now: at(335 + 120) };
    expect(pairTunnels(early)[1]!.ends.source.silent).toBe(false);
    expect(pairTunnels(later)[1]!.ends.source.silent).toBe(true);
    expect(pairTunnels(early)[1]!.ends.source.silent).toBe(false);
  });

  it("cannot be changed by one rule under the next: every level is frozen, not only the list", () => {
    const input = pairInputAt(at(335), split);
    const views = pairTunnels(input);
    const reports = views[1]!.ends.source.reports;
    const newest = reports.at(-1);
    // A rule sorting the reports newest first in place would have every later rule read them so.
    expect(() => (reports as PairEndReport[]).reverse()).toThrow(TypeError);
    expect(() => Object.assign(views[1]!.ends.source, { silent: true })).toThrow(TypeError);
    expect(() => Object.assign(views[1]!.ends, { source: views[1]!.ends.avs })).toThrow(TypeError);
    expect(pairTunnels(input)[1]!.ends.source.reports.at(-1)).toBe(newest);
    expect(pairBothActiveRule(input)).toMatchObject([{ kind: "pair-both-active" }]);
  });
});
