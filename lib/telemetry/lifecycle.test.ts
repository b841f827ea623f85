import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WarningSeverity } from "@/lib/domain/status";
import { type ActiveWarning, reconcileWarnings } from "./lifecycle";
import type { Evaluation } from "./rules/evaluate";
import { activeOf, applyChanges, healthyBoth, runTimeline, series, type StoredWarning, T0, TENANT_ID, TUNNEL_ID } from "@/tests/support/rule-timeline";
import type { Condition } from "./rules/types";

const at = (m: number) => new Date(T0.getTime() + m * 60_000);

const lossCondition = (severity: WarningSeverity = "warning", tunnelId = TUNNEL_ID): Condition => ({
  kind: "loss",
  severity,
  dedupeKey: `loss:${tunnelId}`,
  tenantId: TENANT_ID,
  tunnelId,
  message: `Packet loss (${severity})`,
  details: { severity },
});

const active = (over: Partial<ActiveWarning> = {}): ActiveWarning => ({
  id: "w1",
  kind: "loss",
  dedupeKey: `loss:${TUNNEL_ID}`,
  tunnelId: TUNNEL_ID,
  severity: "warning",
  state: "open",
  openedAt: at(0),
  lastSeenAt: at(5),
  clearSince: null,
  ...over,
});

const evaluation = (conditions: Condition[], over: Partial<Evaluation> = {}): Evaluation => ({ conditions, heldTunnelIds: [], tenantWideHeld: false, ...over });
const reconcile = (activeWarnings: ActiveWarning[], ev: Evaluation, now = at(10), resolveAfterClearMinutes = 10) =>
  reconcileWarnings({ active: activeWarnings, evaluation: ev, now, resolveAfterClearMinutes });

describe("reconcileWarnings", () => {
  it("opens a warning for a new condition with everything the row needs", () => {
    expect(reconcile([], evaluation([lossCondition()]))).toEqual([
      {
        op: "open",
        dedupeKey: `loss:${TUNNEL_ID}`,
        values: {
          tenantId: TENANT_ID,
          tunnelId: TUNNEL_ID,
          kind: "loss",
          severity: "warning",
          state: "open",
          dedupeKey: `loss:${TUNNEL_ID}`,
          message: "Packet loss (warning)",
          details: { severity: "warning" },
          openedAt: at(10),
          lastSeenAt: at(10),
          clearSince: null,
        },
      },
    ]);
  });

  it("updates a warning that is still there: last seen, severity and message follow the condition", () => {
    expect(reconcile([active()], evaluation([lossCondition("critical")]))).toEqual([
      {
        op: "update",
        id: "w1",
        dedupeKey: `loss:${TUNNEL_ID}`,
        reason: "seen",
        set: { severity: "critical", message: "Packet loss (critical)", details: { severity: "critical" }, lastSeenAt: at(10), clearSince: null },
      },
    ]);
  });

  it("keeps an acknowledged warning acknowledged while its severity holds or falls", () => {
    for (const severity of ["warning", "info"] as const) {
      const [change] = reconcile([active({ state: "acknowledged" })], evaluation([lossCondition(severity)]));
      expect(change).toMatchObject({ op: "update", reason: "seen", set: { severity } });
      expect(change && "set" in change ? change.set : {}).not.toHaveProperty("state");
    }
  });

  it("reopens an acknowledged warning whose severity rises, clearing the acknowledgement", () => {
    const [change] = reconcile([active({ state: "acknowledged" })], evaluation([lossCondition("critical")]));
    expect(change).toMatchObject({ op: "update", reason: "reopened", set: { state: "open", acknowledgedAt: null, acknowledgedBy: null, severity: "critical" } });
  });

  it("marks the first evaluation without the condition, waits, then resolves after resolveAfterClearMinutes", () => {
    expect(reconcile([active()], evaluation([]), at(10))).toEqual([{ op: "clear", id: "w1", dedupeKey: `loss:${TUNNEL_ID}`, set: { clearSince: at(10) } }]);
    expect(reconcile([active({ clearSince: at(10) })], evaluation([]), at(19.99))).toEqual([]);
    expect(reconcile([active({ clearSince: at(10) })], evaluation([]), at(20))).toEqual([
      { op: "resolve", id: "w1", dedupeKey: `loss:${TUNNEL_ID}`, set: { state: "resolved", resolvedAt: at(20), resolvedBy: "system" } },
    ]);
  });

  it("keeps the same warning when the condition returns before it resolved (flap damping)", () => {
    expect(reconcile([active({ clearSince: at(8) })], evaluation([lossCondition()]))).toEqual([
      expect.objectContaining({ op: "update", id: "w1", reason: "returned", set: expect.objectContaining({ clearSince: null }) }),
    ]);
  });

  it("resolves at once when the tenant asked for no clear period", () => {
    expect(reconcile([active()], evaluation([]), at(10), 0)).toEqual([expect.objectContaining({ op: "resolve" })]);
  });

  it("does not clear a held tunnel's warnings, and withdraws a pending clear: unseen is not gone", () => {
    const held = evaluation([], { heldTunnelIds: [TUNNEL_ID] });
    expect(reconcile([active()], held)).toEqual([]);
    expect(reconcile([active({ clearSince: at(5) })], held, at(30))).toEqual([{ op: "hold", id: "w1", dedupeKey: `loss:${TUNNEL_ID}`, set: { clearSince: null } }]);
    // A condition that is present is still updated on a held tunnel (the down or stale warning itself).
    expect(reconcile([active()], evaluation([lossCondition()], { heldTunnelIds: [TUNNEL_ID] }))).toEqual([expect.objectContaining({ op: "update" })]);
  });

  it("holds tenant-wide warnings only when no tunnel could be evaluated", () => {
    const spof = active({ id: "w9", kind: "single-point-of-failure", dedupeKey: `single-point-of-failure:tenant:${TENANT_ID}`, tunnelId: null });
    expect(reconcile([spof], evaluation([], { heldTunnelIds: [TUNNEL_ID], tenantWideHeld: true }))).toEqual([]);
    expect(reconcile([spof], evaluation([], { heldTunnelIds: [TUNNEL_ID] }))).toEqual([expect.objectContaining({ op: "clear", id: "w9" })]);
  });

  it("leaves warnings of kinds it does not own (computed elsewhere) untouched", () => {
    const overlap = active({ id: "w7", kind: "address-overlap", dedupeKey: `address-overlap:tenant:${TENANT_ID}`, tunnelId: null });
    expect(reconcile([overlap], evaluation([]), at(100))).toEqual([]);
  });

  it("treats a key reported twice as one condition at its worst severity", () => {
    const changes = reconcile([], evaluation([lossCondition("warning"), lossCondition("critical"), lossCondition("info")]));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ op: "open", values: { severity: "critical" } });
  });

  it("refuses input the database layer got wrong, saying what", () => {
    expect(() => reconcile([active({ state: "resolved" as "open" })], evaluation([]))).toThrow(`Pass only open or acknowledged warnings; loss:${TUNNEL_ID} (w1) is resolved.`);
    expect(() => reconcile([active(), active({ id: "w2" })], evaluation([]))).toThrow(`Two active warnings share the dedupe key loss:${TUNNEL_ID}`);
    expect(() => reconcile([], evaluation([]), at(0), -1)).toThrow("resolveAfterClearMinutes must be 0 or more minutes, not -1.");
  });

  it("over any sequence of evaluations and acknowledgements: one active warning per present condition, none resolved early (property)", () => {
    const keys = ["a", "b", "c"] as const;
    const stepArb = fc.record({
      present: fc.subarray([...keys]),
      severity: fc.constantFrom<WarningSeverity>("info", "warning", "critical"),
      acknowledge: fc.boolean(),
      held: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 5 }), (steps, resolveAfter) => {
        const table: StoredWarning[] = [];
        const absentSince = new Map<string, number>();
        steps.forEach((step, i) => {
          const now = at(i);
          const conditions = step.present.map((k): Condition => ({ ...lossCondition(step.severity, `t-${k}`), dedupeKey: `loss:t-${k}` }));
          const heldTunnelIds = step.held ? ["t-a"] : [];
          // Changes must apply cleanly: applyChanges throws if an open would duplicate an active key.
          applyChanges(table, reconcileWarnings({ active: activeOf(table), evaluation: { conditions, heldTunnelIds, tenantWideHeld: false }, now, resolveAfterClearMinutes: resolveAfter }));
          for (const k of keys) {
            const key = `loss:t-${k}`;
            const live = table.filter((w) => w.dedupeKey === key && w.state !== "resolved");
            if (step.present.includes(k)) {
              absentSince.delete(key);
              expect(live).toHaveLength(1);
              expect(live[0]).toMatchObject({ severity: step.severity, lastSeenAt: now, clearSince: null });
            } else if (k === "a" && step.held) {
              absentSince.delete(key); // held: the clock restarts
            } else if (!absentSince.has(key)) {
              absentSince.set(key, i);
            }
            for (const w of table.filter((row) => row.dedupeKey === key && row.resolvedAt?.getTime() === now.getTime())) {
              expect(i - absentSince.get(key)!).toBeGreaterThanOrEqual(resolveAfter);
              expect(w.clearSince === null || now.getTime() - w.clearSince.getTime() >= resolveAfter * 60_000).toBe(true);
            }
          }
          if (step.acknowledge) for (const w of table) if (w.state === "open") w.state = "acknowledged";
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("the lifecycle on a realistic loss burst", () => {
  it("a burst, a short recovery, a second burst and a long recovery make one warning that resolves 10 minutes after the end", () => {
    // Loss 3 % in minutes 10–15 and 18–22; the 3-minute gap is shorter than the clear period.
    const lossy = (i: number) => (i >= 20 && i < 30) || (i >= 36 && i < 44);
    const samples = { source: series({ count: 120, seed: 61, loss: (i) => (lossy(i) ? 3 : 0) }), avs: healthyBoth(120).avs };
    const { steps, table } = runTimeline(samples, { fromMinute: 0, toMinute: 50 });
    expect(table.map((w) => w.kind)).toEqual(["loss"]);
    const changesOf = (op: string) => steps.filter((s) => s.changes.some((c) => c.op === op)).map((s) => s.minute);
    expect(changesOf("open")).toEqual([11]);
    expect(changesOf("clear")).toEqual([15, 22]);
    expect(steps.find((s) => s.changes.some((c) => c.op === "update" && c.reason === "returned"))?.minute).toBe(19);
    expect(changesOf("resolve")).toEqual([32]);
  });

  it("an operator's acknowledgement survives an unchanged condition, and a worse one reopens the warning", () => {
    const worsening = (i: number) => (i < 20 ? 0 : i < 40 ? 2 : 8);
    const samples = { source: series({ count: 60, seed: 62, loss: worsening }), avs: healthyBoth(60).avs };
    const { steps } = runTimeline(samples, {
      fromMinute: 0,
      toMinute: 25,
      beforeStep: (table, now) => {
        if (now.getTime() === at(15).getTime() + 5000) for (const w of table) Object.assign(w, { state: "acknowledged", acknowledgedAt: now, acknowledgedBy: "ops@example.net" });
      },
    });
    const stateAt = (m: number) => steps.find((s) => s.minute === m)!.table[0];
    expect(stateAt(19)).toMatchObject({ state: "acknowledged", severity: "warning" });
    expect(stateAt(22)).toMatchObject({ state: "open", severity: "critical", acknowledgedBy: null });
  });
});
