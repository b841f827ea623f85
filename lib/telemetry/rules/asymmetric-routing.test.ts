import { describe, expect, it } from "vitest";
import { asymmetricRoutingRule, comparePaths, firstAnsweringHop, sameHopNetwork } from "./asymmetric-routing";
import { ASYMMETRIC_REVERSE_PATH, FORWARD_PATH, makeInput, series, SYMMETRIC_REVERSE_PATH, TUNNEL_ID } from "@/tests/support/rule-timeline";
import type { PathHop } from "./types";

const hops = (...addresses: (string | null)[]): PathHop[] => addresses.map((address, i) => ({ ttl: i + 1, address, rttMs: address ? i + 1 : null }));

describe("comparePaths", () => {
  it("accepts a symmetric route even though each router answers from a different interface per direction", () => {
    expect(comparePaths(FORWARD_PATH, SYMMETRIC_REVERSE_PATH)).toBeNull();
  });

  it("names the first hop where the return path leaves the forward path's networks", () => {
    expect(comparePaths(FORWARD_PATH, ASYMMETRIC_REVERSE_PATH)).toEqual({
      hop: 2,
      forward: "198.51.100.1",
      reverse: "172.16.5.1",
      forwardHops: 4,
      reverseHops: 4,
    });
  });

  it("treats hops that did not answer as wildcards, and extra unanswered hops as no difference", () => {
    expect(comparePaths(hops("192.0.2.1", null, "203.0.113.1", "10.100.0.4"), SYMMETRIC_REVERSE_PATH)).toBeNull();
    expect(comparePaths(hops("192.0.2.1", "198.51.100.1", "203.0.113.1", null, "10.100.0.4"), SYMMETRIC_REVERSE_PATH)).toBeNull();
  });

  it("counts an extra answering hop on one direction as a difference", () => {
    const longer = hops("192.0.2.1", "198.51.100.1", "203.0.113.1", "100.64.7.1", "10.100.0.4");
    expect(comparePaths(longer, SYMMETRIC_REVERSE_PATH)).toEqual({ hop: 4, forward: "100.64.7.1", reverse: null, forwardHops: 5, reverseHops: 4 });
  });

  it("sorts hops by TTL whatever order the agent sent them in", () => {
    expect(comparePaths([...FORWARD_PATH].reverse(), SYMMETRIC_REVERSE_PATH)).toBeNull();
  });

  it("matches hops by network: /24 for IPv4, /64 for IPv6, IPv4-mapped IPv6 as IPv4", () => {
    expect(sameHopNetwork("198.51.100.1", "198.51.100.254")).toBe(true);
    expect(sameHopNetwork("198.51.100.1", "198.51.101.1")).toBe(false);
    expect(sameHopNetwork("2001:db8:1:2::1", "2001:db8:1:2:ffff::9")).toBe(true);
    expect(sameHopNetwork("2001:db8:1:2::1", "2001:db8:1:3::1")).toBe(false);
    expect(sameHopNetwork("::ffff:198.51.100.7", "198.51.100.1")).toBe(true);
    expect(sameHopNetwork("198.51.100.1", "2001:db8::1")).toBe(false);
    expect(sameHopNetwork("not-an-address", "198.51.100.1")).toBe(false);
  });
});

describe("asymmetric routing rule", () => {
  const paths = (reverse: (i: number) => PathHop[]) => ({
    source: series({ count: 30, seed: 21, path: () => FORWARD_PATH }),
    avs: series({ count: 30, seed: 22, path: (i) => reverse(i) }),
  });

  it("stays quiet while both directions cross the same networks", () => {
    expect(asymmetricRoutingRule(makeInput(paths(() => SYMMETRIC_REVERSE_PATH)))).toEqual([]);
  });

  it("warns when the return path has moved to another transport, naming the hops", () => {
    const [c] = asymmetricRoutingRule(makeInput(paths((i) => (i < 25 ? SYMMETRIC_REVERSE_PATH : ASYMMETRIC_REVERSE_PATH))));
    expect(c).toMatchObject({
      kind: "asymmetric-routing",
      severity: "warning",
      dedupeKey: `asymmetric-routing:${TUNNEL_ID}`,
      details: { firstDifferentHop: 2, forwardAddress: "198.51.100.1", reverseAddress: "172.16.5.1", tracesCompared: 3 },
    });
    expect(c!.message).toMatch(/at hop 2 from the source the forward path crosses 198\.51\.100\.1 and the reverse path 172\.16\.5\.1/);
    expect(c!.message).toContain("BGP local-preference");
  });

  it("ignores a trace or two caught during reconvergence", () => {
    expect(asymmetricRoutingRule(makeInput(paths((i) => (i >= 28 ? ASYMMETRIC_REVERSE_PATH : SYMMETRIC_REVERSE_PATH))))).toEqual([]);
    expect(asymmetricRoutingRule(makeInput(paths((i) => (i === 28 ? SYMMETRIC_REVERSE_PATH : ASYMMETRIC_REVERSE_PATH))))).toEqual([]);
  });

  it("says nothing until both agents have sent enough traces", () => {
    const source = series({ count: 30, path: (i) => (i >= 28 ? FORWARD_PATH : null) });
    const avs = series({ count: 30, path: () => ASYMMETRIC_REVERSE_PATH });
    expect(asymmetricRoutingRule(makeInput({ source, avs }))).toEqual([]);
  });
});

describe("firstAnsweringHop", () => {
  it("is the first hop that answered, for comparing two tunnels' underlay exits", () => {
    expect(firstAnsweringHop(hops(null, "192.0.2.1", "198.51.100.1"))).toBe("192.0.2.1");
    expect(firstAnsweringHop(hops(null, null))).toBeNull();
    expect(firstAnsweringHop(null)).toBeNull();
  });
});
