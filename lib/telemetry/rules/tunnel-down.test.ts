import { describe, expect, it } from "vitest";
import { healthyBoth, makeInput, series, T0, TUNNEL_ID } from "@/tests/support/rule-timeline";
import { countTransitions, flappingRule, tunnelDownRule } from "./tunnel-down";

/** Healthy, then total loss from sample `from` on. */
const outage = (from: number, count = 30, seed = 31) => series({ count, seed, loss: (i) => (i >= from ? 100 : 0) });

/** Up `up` samples, down `down` samples, repeated: a link that keeps dropping. */
const flapping = (up: number, down: number, count = 30) => series({ count, seed: 37, loss: (i) => (i % (up + down) >= up ? 100 : 0) });

describe("tunnel down", () => {
  it("is critical when both ends see 100 % loss for openAfterConsecutive samples, with the time it began", () => {
    const [c] = tunnelDownRule(makeInput({ source: outage(26), avs: outage(26, 30, 32) }));
    expect(c).toMatchObject({
      kind: "tunnel-down",
      severity: "critical",
      dedupeKey: `tunnel-down:${TUNNEL_ID}`,
      details: { since: new Date(T0.getTime() + 26 * 30_000).toISOString(), reportingSides: ["source", "avs"], consecutive: { source: 4, avs: 4 } },
    });
    expect(c!.message).toMatch(/^No traffic crosses the tunnel: both the source gateway and the AVS edge bridge have seen 100 % loss for 4 consecutive samples \(2 min\), since 09:13 UTC\./);
    expect(c!.message).toContain("IPsec security associations");
  });

  it("is down when the far end went silent and the near end sees total loss, and says which end to check", () => {
    const avsUntilItDied = series({ count: 26, seed: 33 });
    const [c] = tunnelDownRule(makeInput({ source: outage(26), avs: avsUntilItDied }));
    expect(c?.details).toMatchObject({ reportingSides: ["source"] });
    expect(c!.message).toContain("the AVS edge bridge has stopped reporting. The AVS end is probably down");
  });

  it("is not down after one or two lost samples, nor when only one reporting side sees total loss", () => {
    expect(tunnelDownRule(makeInput({ source: outage(28), avs: outage(28, 30, 32) }))).toEqual([]);
    expect(tunnelDownRule(makeInput({ source: outage(20), avs: healthyBoth(30).avs }))).toEqual([]);
  });

  it("is not down when neither side reports: that is stale, not down", () => {
    const input = makeInput({ source: outage(20), avs: outage(20, 30, 32), now: new Date(T0.getTime() + 60 * 60_000) });
    expect(tunnelDownRule(input)).toEqual([]);
  });

  it("ends as soon as traffic crosses again", () => {
    const recovered = series({ count: 30, seed: 34, loss: (i) => (i >= 20 && i < 29 ? 100 : 0) });
    expect(tunnelDownRule(makeInput({ source: recovered, avs: recovered }))).toEqual([]);
  });
});

describe("flapping", () => {
  it("counts down/up transitions, skipping samples without a loss figure", () => {
    expect(countTransitions(flapping(4, 2, 12))).toBe(3);
    expect(countTransitions(series({ count: 5, loss: (i) => [0, null, 100, null, 100][i]! }))).toBe(1);
  });

  it("warns at 4 transitions in the window (two outages) and is critical at 8", () => {
    const twoOutages = series({ count: 30, seed: 38, loss: (i) => (i === 10 || i === 11 || i === 20 || i === 21 ? 100 : 0) });
    const [c] = flappingRule(makeInput({ source: twoOutages, avs: healthyBoth(30).avs }));
    expect(c).toMatchObject({ kind: "flapping", severity: "warning", dedupeKey: `flapping:${TUNNEL_ID}`, details: { transitions: { source: 4, avs: 0 } } });
    expect(c!.message).toMatch(/^The tunnel keeps dropping and coming back: 4 down\/up transitions in the last 15 minutes as seen by the source gateway \(about 2 outages\)\./);
    expect(flappingRule(makeInput({ source: flapping(3, 2) }))[0]?.severity).toBe("critical");
  });

  it("does not call one outage, or a steady link, flapping", () => {
    expect(flappingRule(makeInput({ source: outage(20), avs: outage(20, 30, 32) }))).toEqual([]);
    const oneBlip = series({ count: 30, loss: (i) => (i === 15 ? 100 : 0) });
    expect(flappingRule(makeInput({ source: oneBlip }))).toEqual([]);
    expect(flappingRule(makeInput(healthyBoth(30)))).toEqual([]);
  });

  it("follows a tenant's own transition count", () => {
    const twoOutages = series({ count: 30, loss: (i) => (i === 10 || i === 20 ? 100 : 0) });
    expect(flappingRule(makeInput({ source: twoOutages, overrides: { flapTransitions: 6 } }))).toEqual([]);
  });
});
