import { describe, expect, it } from "vitest";
import { isInhibited, planFlush, ruleCoversTenant, ruleTakes, silenceMatches, type RoutedWarning, type Rule } from "./routing";

const rule = (over: Partial<Rule> = {}): Rule => ({
  id: "r",
  tenantId: null,
  matchTenantId: null,
  minSeverity: "warning",
  kinds: [],
  groupWaitSeconds: 30,
  repeatIntervalMinutes: 60,
  sendResolved: true,
  ...over,
});
const w = (over: Partial<RoutedWarning> = {}): RoutedWarning => ({ id: "w1", tenantId: "a", tunnelId: "t1", kind: "loss", severity: "warning", state: "open", ...over });
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 21, 10, minutes));
const none = { silences: [], windows: [], active: [] };

describe("which rules take a warning", () => {
  it("a tenant's rule covers only its tenant, whatever its match says", () => {
    expect(ruleCoversTenant({ tenantId: "a", matchTenantId: "b" }, "b")).toBe(false);
    expect(ruleCoversTenant({ tenantId: "a", matchTenantId: null }, "a")).toBe(true);
    expect(ruleCoversTenant({ tenantId: null, matchTenantId: null }, "z")).toBe(true);
    expect(ruleCoversTenant({ tenantId: null, matchTenantId: "b" }, "a")).toBe(false);
  });
  it("by severity and kind", () => {
    expect(ruleTakes(rule({ minSeverity: "critical" }), w())).toBe(false);
    expect(ruleTakes(rule({ minSeverity: "info" }), w())).toBe(true);
    expect(ruleTakes(rule({ kinds: ["jitter"] }), w())).toBe(false);
    expect(ruleTakes(rule({ kinds: ["jitter", "loss"] }), w())).toBe(true);
  });
});

describe("silences and inhibition", () => {
  const silence = { id: "s", ownerTenantId: null, tenantId: "a", tunnelId: null, kind: "loss", startsAt: at(0), endsAt: at(60) };
  it("match on every matcher set, only while running, only for their owner's rules", () => {
    expect(silenceMatches(silence, w(), { tenantId: null }, at(10))).toBe(true);
    expect(silenceMatches(silence, w({ kind: "jitter" }), { tenantId: null }, at(10))).toBe(false);
    expect(silenceMatches(silence, w({ tenantId: "b" }), { tenantId: null }, at(10))).toBe(false);
    expect(silenceMatches(silence, w(), { tenantId: null }, at(60))).toBe(false);
    expect(silenceMatches(silence, w(), { tenantId: "a" }, at(10))).toBe(false);
    expect(silenceMatches({ ...silence, ownerTenantId: "a" }, w(), { tenantId: "a" }, at(10))).toBe(true);
  });
  it("a down tunnel inhibits its own tunnel warnings only", () => {
    const down = w({ id: "d", kind: "tunnel-down", severity: "critical" });
    expect(isInhibited(w(), [down])).toBe(true);
    expect(isInhibited(w({ tunnelId: "t2" }), [down])).toBe(false);
    expect(isInhibited(w({ tunnelId: null, kind: "tromboning" }), [down])).toBe(false);
    expect(isInhibited(down, [down])).toBe(false);
    expect(isInhibited(w(), [{ ...down, state: "resolved" }])).toBe(false);
  });
});

describe("planFlush", () => {
  it("announces new warnings once, repeats after the interval, and wakes for the repeat", () => {
    const first = planFlush({ rule: rule(), group: { announced: {}, lastFiringAt: null }, warnings: [w()], facts: none, now: at(0) });
    expect(first.notify).toMatchObject({ event: "firing", firing: [{ isNew: true }] });
    expect(first.next).toEqual({ announced: { w1: "warning" }, lastFiringAt: at(0), flushAt: at(60) });
    const quiet = planFlush({ rule: rule(), group: first.next, warnings: [w()], facts: none, now: at(30) });
    expect(quiet.notify).toBeNull();
    const repeat = planFlush({ rule: rule(), group: first.next, warnings: [w()], facts: none, now: at(60) });
    expect(repeat.notify).toMatchObject({ event: "repeat", firing: [{ isNew: false }] });
  });

  it("announces an escalation as new, and a resolution once; without sendResolved it forgets quietly", () => {
    const group = { announced: { w1: "warning" as const }, lastFiringAt: at(0) };
    expect(planFlush({ rule: rule(), group, warnings: [w({ severity: "critical" })], facts: none, now: at(1) }).notify).toMatchObject({ event: "firing", firing: [{ isNew: true }] });
    const resolved = planFlush({ rule: rule(), group, warnings: [w({ state: "resolved" })], facts: none, now: at(1) });
    expect(resolved.notify).toEqual({ event: "resolved", firing: [], resolved: ["w1"] });
    expect(resolved.next).toEqual({ announced: {}, lastFiringAt: null, flushAt: null });
    const silent = planFlush({ rule: rule({ sendResolved: false }), group, warnings: [w({ state: "resolved" })], facts: none, now: at(1) });
    expect(silent.notify).toBeNull();
    expect(silent.next.announced).toEqual({});
  });

  it("wakes when the silence that hides a warning ends", () => {
    const silence = { id: "s", ownerTenantId: null, tenantId: null, tunnelId: null, kind: "loss", startsAt: at(0), endsAt: at(45) };
    const plan = planFlush({ rule: rule(), group: { announced: {}, lastFiringAt: null }, warnings: [w()], facts: { ...none, silences: [silence] }, now: at(5) });
    expect(plan.notify).toBeNull();
    expect(plan.next.flushAt).toEqual(at(45));
  });
});
