import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPoolMap,
  candidateVlans,
  countAssignable,
  DEFAULT_RESERVED_VLANS,
  DEFAULT_VLAN_RANGES,
  deriveVni,
  formatVlanRanges,
  parseVlanList,
  parseVlanRanges,
  VLAN_MAX,
  VNI_MAX,
  whyVlanUnavailable,
  type VlanHolder,
  type VlanPoolRules,
  type VlanRange,
} from "./vlan";

const DEFAULT_RULES: VlanPoolRules = { ranges: DEFAULT_VLAN_RANGES, reserved: DEFAULT_RESERVED_VLANS };

function errorOf(result: { ok: true } | { ok: false; error: string }): string {
  if (result.ok) throw new Error("expected the input to be rejected");
  return result.error;
}

describe("defaults", () => {
  it("allow 2–4094 and reserve 1 and the legacy 1002–1005", () => {
    expect(DEFAULT_VLAN_RANGES).toEqual([{ from: 2, to: 4094 }]);
    expect(DEFAULT_RESERVED_VLANS).toEqual([1, 1002, 1003, 1004, 1005]);
  });
});

describe("deriveVni", () => {
  it("offsets the VLAN by 10 000", () => {
    expect(deriveVni(1)).toBe(10_001);
    expect(deriveVni(100)).toBe(10_100);
    expect(deriveVni(4094)).toBe(14_094);
  });

  it("stays within the 24-bit VNI space for every VLAN", () => {
    expect(deriveVni(VLAN_MAX)).toBeLessThanOrEqual(VNI_MAX);
  });

  it.each([0, -1, 4095, 2.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses VLAN %s", (vlan) => {
    expect(() => deriveVni(vlan)).toThrow(/whole number from 1 to 4094/);
  });
});

describe("parseVlanRanges", () => {
  it("parses ranges and single IDs", () => {
    expect(parseVlanRanges("2-99, 200, 300-310")).toEqual({
      ok: true,
      ranges: [
        { from: 2, to: 99 },
        { from: 200, to: 200 },
        { from: 300, to: 310 },
      ],
    });
  });

  it.each([
    ["whitespace only", "2-99 200\t300-310"],
    ["newlines", "2-99\n200\r\n300-310\n"],
    ["an en-dash", "2–99, 200, 300–310"],
    ["spaces around the dash", "2 - 99, 200, 300 – 310"],
    ["stray commas", ",2-99,, 200, 300-310,"],
    ["any order", "300-310, 2-99, 200"],
  ])("accepts %s as separators and sorts", (_, text) => {
    const result = parseVlanRanges(text);
    expect(result.ok && formatVlanRanges(result.ranges)).toBe("2-99, 200, 300-310");
  });

  it("merges adjacent ranges", () => {
    expect(parseVlanRanges("2-5,6-9")).toEqual({ ok: true, ranges: [{ from: 2, to: 9 }] });
    expect(parseVlanRanges("7, 5, 6, 10-12, 8, 9")).toEqual({ ok: true, ranges: [{ from: 5, to: 12 }] });
    expect(parseVlanRanges("1-10, 12")).toEqual({
      ok: true,
      ranges: [
        { from: 1, to: 10 },
        { from: 12, to: 12 },
      ],
    });
  });

  it("accepts the full 1–4094 space", () => {
    expect(parseVlanRanges("1-4094")).toEqual({ ok: true, ranges: [{ from: 1, to: 4094 }] });
  });

  it.each(["", "   ", "\n\t", ", ,"])("asks for at least one range when given %j", (text) => {
    expect(errorOf(parseVlanRanges(text))).toBe("Enter at least one VLAN range, e.g. 2-4094 or 100-199, 300.");
  });

  it.each([
    ["abc", '"abc" is not a VLAN ID or range'],
    ["$(reboot)", '"$(reboot)" is not a VLAN ID or range'],
    ["100; reboot", '"100;" is not a VLAN ID or range'],
    ["١٠", '"١٠" is not a VLAN ID or range'],
    ["١٠-٢٠", '"١٠-٢٠" is not a VLAN ID or range'],
    ["-5", '"-5" is not a VLAN ID or range'],
    ["1e3", '"1e3" is not a VLAN ID or range'],
    ["2.5", '"2.5" is not a VLAN ID or range'],
    ["0x10", '"0x10" is not a VLAN ID or range'],
    ["+5", '"+5" is not a VLAN ID or range'],
    ["10-", '"10-" is not a VLAN ID or range'],
    ["1--5", '"1--5" is not a VLAN ID or range'],
    ["1-5-9", '"1-5-9" is not a VLAN ID or range'],
    ["Infinity", '"Infinity" is not a VLAN ID or range'],
  ])("rejects %j", (text, message) => {
    const error = errorOf(parseVlanRanges(text));
    expect(error).toContain(message);
    expect(error).toContain("use whole numbers like 200 or 300-310");
  });

  it.each([
    ["0", "VLAN 0 is outside 1–4094."],
    ["4095", "VLAN 4095 is outside 1–4094."],
    ["0-10", "VLAN 0 is outside 1–4094."],
    ["100-5000", "VLAN 5000 is outside 1–4094."],
    ["2-99, 9000", "VLAN 9000 is outside 1–4094."],
  ])("rejects out-of-range %j", (text, message) => {
    expect(errorOf(parseVlanRanges(text))).toBe(message);
  });

  it("truncates a huge number in the message instead of echoing it whole", () => {
    const error = errorOf(parseVlanRanges("9".repeat(500)));
    expect(error).toBe(`VLAN ${"9".repeat(20)}… is outside 1–4094.`);
  });

  it("names a backwards range and how to fix it", () => {
    expect(errorOf(parseVlanRanges("99-2"))).toBe("The range 99-2 runs backwards; write it as 2-99.");
  });

  it.each([
    ["200, 200", "200 is listed twice; list each VLAN once."],
    ["2-99, 300, 2-99", "2-99 is listed twice; list each VLAN once."],
    ["2-99, 50-120", "2-99 and 50-120 overlap; list each VLAN once."],
    ["50-120, 2-99", "2-99 and 50-120 overlap; list each VLAN once."],
    ["2-99, 99-120", "2-99 and 99-120 overlap; list each VLAN once."],
    ["1-100, 5", "1-100 and 5 overlap; list each VLAN once."],
    ["10-20, 10-30", "10-20 and 10-30 overlap; list each VLAN once."],
  ])("names the duplicate or overlapping ranges in %j", (text, message) => {
    expect(errorOf(parseVlanRanges(text))).toBe(message);
  });

  it("accepts 2000 characters and rejects 2001", () => {
    const longest = `2-4094${" ".repeat(1994)}`;
    expect(longest).toHaveLength(2000);
    expect(parseVlanRanges(longest).ok).toBe(true);
    expect(errorOf(parseVlanRanges(`${longest} `))).toMatch(/too long \(2001 characters\); keep it under 2000/);
  });

  // How fast (about as fast as an ordinary value) is `npm run bench -- parsers`.
  it("rejects a megabyte of input as too long", () => {
    expect(errorOf(parseVlanRanges("1,".repeat(500_000)))).toMatch(/too long/);
  });

  it("does not echo invisible or direction-changing characters", () => {
    const error = errorOf(parseVlanRanges("10\u202E01"));
    expect(error).not.toContain("\u202E");
    expect(error).toContain("10\uFFFD01");
  });
});

describe("formatVlanRanges", () => {
  it("writes single IDs bare and ranges with a hyphen", () => {
    expect(
      formatVlanRanges([
        { from: 2, to: 99 },
        { from: 200, to: 200 },
        { from: 300, to: 310 },
      ]),
    ).toBe("2-99, 200, 300-310");
  });

  it("writes nothing for no ranges", () => {
    expect(formatVlanRanges([])).toBe("");
  });

  it("round-trips through parseVlanRanges", () => {
    const text = "1, 3-5, 1000-1001, 4094";
    const parsed = parseVlanRanges(text);
    expect(parsed.ok && formatVlanRanges(parsed.ranges)).toBe(text);
  });
});

describe("parseVlanList", () => {
  it("expands ranges into sorted IDs", () => {
    expect(parseVlanList("1, 1002-1005")).toEqual({ ok: true, ids: [1, 1002, 1003, 1004, 1005] });
  });

  it("tolerates repeats and overlaps, returning each ID once", () => {
    expect(parseVlanList("6, 5, 3-6, 5")).toEqual({ ok: true, ids: [3, 4, 5, 6] });
  });

  it("accepts an empty list: a pool may reserve nothing", () => {
    expect(parseVlanList("")).toEqual({ ok: true, ids: [] });
    expect(parseVlanList(" \n ")).toEqual({ ok: true, ids: [] });
  });

  it("expands the whole space without trouble", () => {
    const result = parseVlanList("1-4094");
    expect(result.ok && result.ids.length).toBe(4094);
  });

  it.each([
    ["1002-1005x", '"1002-1005x" is not a VLAN ID or range'],
    ["$(reboot)", '"$(reboot)" is not a VLAN ID or range'],
    ["١٠", '"١٠" is not a VLAN ID or range'],
    ["-1", '"-1" is not a VLAN ID or range'],
    ["0", "VLAN 0 is outside 1–4094."],
    ["1005-1002", "The range 1005-1002 runs backwards; write it as 1002-1005."],
    ["1,".repeat(1001), "too long"],
  ])("rejects %j", (text, message) => {
    expect(errorOf(parseVlanList(text))).toContain(message);
  });
});

describe("whyVlanUnavailable", () => {
  it("allows an ordinary ID under the default rules", () => {
    expect(whyVlanUnavailable(100, DEFAULT_RULES)).toBeNull();
    expect(whyVlanUnavailable(2, DEFAULT_RULES)).toBeNull();
    expect(whyVlanUnavailable(4094, DEFAULT_RULES)).toBeNull();
  });

  it("says when an ID is reserved, even if it is also outside the ranges", () => {
    expect(whyVlanUnavailable(1002, DEFAULT_RULES)).toBe("VLAN 1002 is reserved.");
    expect(whyVlanUnavailable(1, DEFAULT_RULES)).toBe("VLAN 1 is reserved.");
  });

  it("honours operator-added reservations", () => {
    expect(whyVlanUnavailable(42, { ranges: DEFAULT_VLAN_RANGES, reserved: [...DEFAULT_RESERVED_VLANS, 42] })).toBe(
      "VLAN 42 is reserved.",
    );
  });

  it.each([0, -1, 4095, 5000])("says %s is outside the 802.1Q space", (vlan) => {
    expect(whyVlanUnavailable(vlan, DEFAULT_RULES)).toBe(`VLAN ${vlan} is outside 1–4094.`);
  });

  it.each([2.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5])("refuses the non-integer %s", (vlan) => {
    expect(whyVlanUnavailable(vlan, DEFAULT_RULES)).toBe("A VLAN ID must be a whole number from 1 to 4094.");
  });

  it("names the pool's ranges when an ID falls outside them", () => {
    const rules = { ranges: [{ from: 100, to: 999 }], reserved: [] };
    expect(whyVlanUnavailable(50, rules)).toBe("VLAN 50 is outside this pool's ranges (100-999).");
    expect(whyVlanUnavailable(1000, rules)).toBe("VLAN 1000 is outside this pool's ranges (100-999).");
    expect(whyVlanUnavailable(100, rules)).toBeNull();
    expect(whyVlanUnavailable(999, rules)).toBeNull();
  });

  it("explains a pool with no ranges at all", () => {
    expect(whyVlanUnavailable(50, { ranges: [], reserved: [] })).toBe("VLAN 50 is outside this pool's ranges (none are set).");
  });
});

describe("candidateVlans", () => {
  it("yields the lowest free IDs first and is lazy", () => {
    const iterator = candidateVlans(DEFAULT_RULES, new Set([2, 3, 5]));
    expect([iterator.next().value, iterator.next().value, iterator.next().value]).toEqual([4, 6, 7]);
  });

  it("skips reserved IDs", () => {
    const ids = [...candidateVlans(DEFAULT_RULES, new Set())];
    expect(ids).toHaveLength(4089);
    expect(ids.slice(999, 1001)).toEqual([1001, 1006]);
    expect(ids).not.toContain(1);
  });

  it("copes with unsorted, overlapping and out-of-bounds ranges stored before validation existed", () => {
    const rules = {
      ranges: [
        { from: 10, to: 12 },
        { from: 4093, to: 5000 },
        { from: 11, to: 15 },
        { from: -3, to: 3 },
        { from: 9, to: 2 },
      ],
      reserved: [13],
    };
    expect([...candidateVlans(rules, new Set([2]))]).toEqual([1, 3, 10, 11, 12, 14, 15, 4093, 4094]);
  });

  it("yields nothing when the pool is exhausted", () => {
    const rules = { ranges: [{ from: 10, to: 12 }], reserved: [11] };
    expect([...candidateVlans(rules, new Set([10, 12]))]).toEqual([]);
  });
});

describe("countAssignable", () => {
  it("counts the default pool: 2–4094 minus 1002–1005", () => {
    expect(countAssignable(DEFAULT_RULES)).toBe(4093 - 4);
  });

  it("counts overlapping ranges and repeated reservations once, and ignores reservations outside the ranges", () => {
    const rules = {
      ranges: [
        { from: 100, to: 199 },
        { from: 150, to: 249 },
      ],
      reserved: [100, 100, 50, 300],
    };
    expect(countAssignable(rules)).toBe(150 - 1);
  });

  it("is zero for a pool with no ranges", () => {
    expect(countAssignable({ ranges: [], reserved: [1] })).toBe(0);
  });
});

describe("buildPoolMap", () => {
  const now = new Date("2025-06-01T12:00:00Z");
  const later = new Date("2025-07-01T00:00:00Z");
  const earlier = new Date("2025-05-01T00:00:00Z");

  const holder = (vlanId: number, state: VlanHolder["state"], tenant: string, quarantinedUntil: Date | null = null) => ({
    vlanId,
    state,
    tenant,
    quarantinedUntil,
  });

  it("has one cell per ID from 1 to 4094, in order", () => {
    const { cells } = buildPoolMap(DEFAULT_RULES, [], now);
    expect(cells).toHaveLength(4094);
    expect(cells.every((cell, index) => cell.vlanId === index + 1)).toBe(true);
  });

  it("classifies the default pool with no tenants", () => {
    const { cells, counts } = buildPoolMap(DEFAULT_RULES, [], now);
    expect(cells[0]).toEqual({ vlanId: 1, state: "reserved" });
    expect(cells[1]).toEqual({ vlanId: 2, state: "free" });
    expect(cells[1001]).toEqual({ vlanId: 1002, state: "reserved" });
    expect(counts).toEqual({ free: 4089, allocated: 0, quarantined: 0, reserved: 5, outside: 0 });
  });

  it("shows allocations and live quarantines, and frees expired ones", () => {
    const rules = { ranges: [{ from: 100, to: 999 }], reserved: [1, 500] };
    const { cells, counts } = buildPoolMap(
      rules,
      [
        holder(100, "allocated", "contoso"),
        holder(200, "quarantined", "fabrikam", later),
        holder(300, "quarantined", "northwind", earlier),
        holder(301, "quarantined", "tailspin", now),
        holder(302, "quarantined", "adatum", null),
      ],
      now,
    );
    expect(cells[99]).toEqual({ vlanId: 100, state: "allocated", tenant: "contoso" });
    expect(cells[199]).toEqual({ vlanId: 200, state: "quarantined", tenant: "fabrikam", until: later });
    expect(cells[299]).toEqual({ vlanId: 300, state: "free" });
    expect(cells[300]).toEqual({ vlanId: 301, state: "free" });
    expect(cells[301]).toEqual({ vlanId: 302, state: "quarantined", tenant: "adatum" });
    expect(cells[49]).toEqual({ vlanId: 50, state: "outside" });
    expect(counts).toEqual({ free: 900 - 1 - 3, allocated: 1, quarantined: 2, reserved: 2, outside: 4094 - 900 - 1 });
  });

  it("still shows tenants on IDs the rules no longer allow", () => {
    const rules = { ranges: [{ from: 100, to: 999 }], reserved: [500] };
    const { cells, counts } = buildPoolMap(
      rules,
      [holder(500, "allocated", "contoso"), holder(50, "quarantined", "fabrikam", later)],
      now,
    );
    expect(cells[499]).toEqual({ vlanId: 500, state: "allocated", tenant: "contoso" });
    expect(cells[49]).toEqual({ vlanId: 50, state: "quarantined", tenant: "fabrikam", until: later });
    expect(counts.reserved).toBe(0);
    expect(counts.outside).toBe(4094 - 900 - 1);
  });

  it("falls back to the rules once a quarantine on a reserved or outside ID is over", () => {
    const rules = { ranges: [{ from: 100, to: 999 }], reserved: [500] };
    const { cells } = buildPoolMap(
      rules,
      [holder(500, "quarantined", "contoso", earlier), holder(50, "quarantined", "fabrikam", earlier)],
      now,
    );
    expect(cells[499]).toEqual({ vlanId: 500, state: "reserved" });
    expect(cells[49]).toEqual({ vlanId: 50, state: "outside" });
  });

  it("prefers an allocation over a quarantine when one ID has both", () => {
    const { cells } = buildPoolMap(
      DEFAULT_RULES,
      [holder(7, "quarantined", "old", later), holder(7, "allocated", "new"), holder(8, "quarantined", "a", later), holder(8, "quarantined", "b", null)],
      now,
    );
    expect(cells[6]).toEqual({ vlanId: 7, state: "allocated", tenant: "new" });
    expect(cells[7]).toEqual({ vlanId: 8, state: "quarantined", tenant: "b" });
  });

  it("ignores holders outside 1–4094 and keeps the counts summing to 4094", () => {
    const { cells, counts } = buildPoolMap(DEFAULT_RULES, [holder(0, "allocated", "x"), holder(5000, "allocated", "y")], now);
    expect(cells).toHaveLength(4094);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(4094);
    expect(counts.allocated).toBe(0);
  });
});

describe("properties", () => {
  const vlan = fc.integer({ min: 1, max: VLAN_MAX });
  const range = fc
    .record({ from: vlan, length: fc.integer({ min: 0, max: 600 }) })
    .map(({ from, length }) => ({ from, to: Math.min(from + length, VLAN_MAX) }));
  const rules = fc.record({
    ranges: fc.array(range, { maxLength: 6 }),
    reserved: fc.array(vlan, { maxLength: 40 }),
  });

  // Independent of the module: a plain scan of the raw, possibly overlapping ranges.
  const isAssignable = (id: number, r: VlanPoolRules) =>
    r.ranges.some((x: VlanRange) => id >= x.from && id <= x.to) && !r.reserved.includes(id);

  it("candidates are allowed, untaken, ascending, and account for the whole assignable pool", () => {
    fc.assert(
      fc.property(rules, fc.uniqueArray(vlan, { maxLength: 400 }), (r, takenList) => {
        const taken = new Set(takenList);
        const candidates = [...candidateVlans(r, taken)];
        // Collect violations instead of calling expect per ID: thousands of expects per run are slow.
        const violations = candidates.flatMap((id, index) => {
          const previous = candidates[index - 1];
          const problems: string[] = [];
          const reason = whyVlanUnavailable(id, r);
          if (reason !== null) problems.push(reason);
          if (taken.has(id)) problems.push(`${id} is taken`);
          if (previous !== undefined && id <= previous) problems.push(`${id} follows ${previous}`);
          return problems;
        });
        expect(violations).toEqual([]);
        const takenInside = takenList.filter((id) => whyVlanUnavailable(id, r) === null).length;
        expect(candidates.length + takenInside).toBe(countAssignable(r));

        let reference = 0;
        for (let id = 1; id <= VLAN_MAX; id++) if (isAssignable(id, r)) reference++;
        expect(countAssignable(r)).toBe(reference);
      }),
      { numRuns: 300 },
    );
  });

  it("whyVlanUnavailable agrees with a plain scan of the rules", () => {
    fc.assert(
      fc.property(rules, fc.integer({ min: -10, max: VLAN_MAX + 10 }), (r, id) => {
        const allowed = id >= 1 && id <= VLAN_MAX && isAssignable(id, r);
        expect(whyVlanUnavailable(id, r) === null).toBe(allowed);
      }),
      { numRuns: 3000 },
    );
  });

  it("the pool map's free cells are exactly the assignable IDs when nobody holds one", () => {
    fc.assert(
      fc.property(rules, (r) => {
        const { cells, counts } = buildPoolMap(r, [], new Date(0));
        expect(counts.free).toBe(countAssignable(r));
        const wrong = cells.filter((cell) => (cell.state === "free") !== isAssignable(cell.vlanId, r));
        expect(wrong).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("parseVlanRanges merges any shuffled set of single IDs into its maximal runs", () => {
    fc.assert(
      fc.property(fc.uniqueArray(vlan, { minLength: 1, maxLength: 300 }), fc.constantFrom(", ", " ", "\n", ","), (ids, sep) => {
        const sorted = [...ids].sort((a, b) => a - b);
        const runs: VlanRange[] = [];
        for (const id of sorted) {
          const last = runs[runs.length - 1];
          if (last && id === last.to + 1) last.to = id;
          else runs.push({ from: id, to: id });
        }
        const result = parseVlanRanges(ids.join(sep));
        expect(result).toEqual({ ok: true, ranges: runs });
        expect(parseVlanRanges(formatVlanRanges(runs))).toEqual({ ok: true, ranges: runs });
      }),
      { numRuns: 500 },
    );
  });
});
