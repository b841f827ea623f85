/**
 * VLAN pool rules for a private cloud: which 802.1Q IDs may be handed to tenants, and the pool map
 * the console draws. Pure functions only; whoever stores allocations passes them in.
 */

export type VlanRange = { from: number; to: number };

export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;

export const DEFAULT_VLAN_RANGES: VlanRange[] = [{ from: 2, to: 4094 }];
// 1 is the default/native VLAN on most switches; 1002–1005 are Cisco's legacy FDDI/Token Ring IDs.
export const DEFAULT_RESERVED_VLANS: number[] = [1, 1002, 1003, 1004, 1005];

// Offset so derived VNIs never collide with the low VNIs NSX-T and hand-built overlays tend to use.
export const VNI_BASE = 10_000;
export const VNI_MAX = 16_777_215;

export type VlanPoolRules = { ranges: VlanRange[]; reserved: number[] };

export type VlanHolder = {
  vlanId: number;
  state: "allocated" | "quarantined";
  tenant: string;
  quarantinedUntil: Date | null;
};

export type VlanIdState = "free" | "allocated" | "quarantined" | "reserved" | "outside";

export type PoolMapCell = { vlanId: number; state: VlanIdState; tenant?: string; until?: Date };

type ParseResult<T> = ({ ok: true } & T) | { ok: false; error: string };

const MAX_INPUT_LENGTH = 2000;
const ECHO_LENGTH = 20;

export function deriveVni(vlanId: number): number {
  // A bad VNI would be pushed to NSX-T, so refuse loudly rather than return a plausible number.
  if (!isVlanId(vlanId)) {
    throw new RangeError(`Cannot derive a VNI: VLAN ${String(vlanId)} is not a whole number from ${VLAN_MIN} to ${VLAN_MAX}.`);
  }
  return VNI_BASE + vlanId;
}

export function parseVlanRanges(text: string): ParseResult<{ ranges: VlanRange[] }> {
  const parsed = parseItems(text);
  if (!parsed.ok) return parsed;
  if (parsed.items.length === 0) return fail("Enter at least one VLAN range, e.g. 2-4094 or 100-199, 300.");

  const sorted = [...parsed.items].sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: VlanRange[] = [];
  // Sorted by start, so the first overlap (if any) is always between neighbours. Overlaps are
  // refused rather than merged because they usually mean a typo ("200-299, 250-399" for 300-399).
  for (const [index, range] of sorted.entries()) {
    const previous = sorted[index - 1];
    if (previous && range.from <= previous.to) {
      if (range.from === previous.from && range.to === previous.to) {
        return fail(`${formatRange(range)} is listed twice; list each VLAN once.`);
      }
      return fail(`${formatRange(previous)} and ${formatRange(range)} overlap; list each VLAN once.`);
    }
    const last = merged[merged.length - 1];
    if (last && range.from === last.to + 1) last.to = range.to;
    else merged.push({ ...range });
  }
  return { ok: true, ranges: merged };
}

export function formatVlanRanges(ranges: VlanRange[]): string {
  return ranges.map(formatRange).join(", ");
}

export function parseVlanList(text: string): ParseResult<{ ids: number[] }> {
  const parsed = parseItems(text);
  if (!parsed.ok) return parsed;
  // Unlike pool ranges, an empty reserved list is legitimate, and repeats are harmless here.
  const ids = new Set<number>();
  for (const { from, to } of parsed.items) {
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return { ok: true, ids: [...ids].sort((a, b) => a - b) };
}

export function whyVlanUnavailable(vlanId: number, rules: VlanPoolRules): string | null {
  if (!Number.isInteger(vlanId)) return `A VLAN ID must be a whole number from ${VLAN_MIN} to ${VLAN_MAX}.`;
  if (vlanId < VLAN_MIN || vlanId > VLAN_MAX) return `VLAN ${vlanId} is outside ${VLAN_MIN}–${VLAN_MAX}.`;
  // Reserved is checked first: it is the more specific reason when an ID is both.
  if (rules.reserved.includes(vlanId)) return `VLAN ${vlanId} is reserved.`;
  const ranges = normalizeRanges(rules.ranges);
  if (!ranges.some((r) => vlanId >= r.from && vlanId <= r.to)) {
    const allowed = ranges.length > 0 ? formatVlanRanges(ranges) : "none are set";
    return `VLAN ${vlanId} is outside this pool's ranges (${allowed}).`;
  }
  return null;
}

export function* candidateVlans(rules: VlanPoolRules, taken: ReadonlySet<number>): Generator<number> {
  const reserved = new Set(rules.reserved);
  for (const range of normalizeRanges(rules.ranges)) {
    for (let id = range.from; id <= range.to; id++) {
      if (!reserved.has(id) && !taken.has(id)) yield id;
    }
  }
}

export function countAssignable(rules: VlanPoolRules): number {
  const ranges = normalizeRanges(rules.ranges);
  const inRanges = (id: number) => ranges.some((r) => id >= r.from && id <= r.to);
  const reservedInside = new Set(rules.reserved.filter(inRanges)).size;
  return ranges.reduce((sum, r) => sum + (r.to - r.from + 1), 0) - reservedInside;
}

export function buildPoolMap(
  rules: VlanPoolRules,
  holders: VlanHolder[],
  now: Date,
): { cells: PoolMapCell[]; counts: Record<VlanIdState, number> } {
  const inRanges = new Uint8Array(VLAN_MAX + 1);
  for (const range of normalizeRanges(rules.ranges)) inRanges.fill(1, range.from, range.to + 1);
  const reserved = new Set(rules.reserved);

  const active = new Map<number, VlanHolder>();
  for (const holder of holders) {
    if (!isActive(holder, now)) continue;
    const current = active.get(holder.vlanId);
    if (!current || outranks(holder, current)) active.set(holder.vlanId, holder);
  }

  const counts: Record<VlanIdState, number> = { free: 0, allocated: 0, quarantined: 0, reserved: 0, outside: 0 };
  const cells: PoolMapCell[] = [];
  for (let vlanId = VLAN_MIN; vlanId <= VLAN_MAX; vlanId++) {
    const holder = active.get(vlanId);
    let cell: PoolMapCell;
    // A holder is shown even on a reserved or out-of-range ID: it was allocated before the rules
    // changed, and hiding it would invite handing the ID out twice once the rules change back.
    if (holder) {
      cell = { vlanId, state: holder.state, tenant: holder.tenant };
      if (holder.state === "quarantined" && holder.quarantinedUntil) cell.until = holder.quarantinedUntil;
    } else if (reserved.has(vlanId)) {
      cell = { vlanId, state: "reserved" };
    } else if (inRanges[vlanId] === 1) {
      cell = { vlanId, state: "free" };
    } else {
      cell = { vlanId, state: "outside" };
    }
    counts[cell.state]++;
    cells.push(cell);
  }
  return { cells, counts };
}

// A quarantine with no end date has not ended: erring towards "still held" never double-allocates.
function isActive(holder: VlanHolder, now: Date): boolean {
  if (holder.state === "allocated") return true;
  return holder.quarantinedUntil === null || holder.quarantinedUntil.getTime() > now.getTime();
}

// Two rows for one ID is a data error; show the one that blocks reuse the longest.
function outranks(candidate: VlanHolder, current: VlanHolder): boolean {
  if (candidate.state !== current.state) return candidate.state === "allocated";
  if (candidate.state === "allocated") return false;
  if (current.quarantinedUntil === null) return false;
  return candidate.quarantinedUntil === null || candidate.quarantinedUntil > current.quarantinedUntil;
}

function isVlanId(value: number): boolean {
  return Number.isInteger(value) && value >= VLAN_MIN && value <= VLAN_MAX;
}

// Rules may come from the database rather than parseVlanRanges, so accept them unsorted,
// overlapping or partly out of bounds and reduce them to sorted, disjoint, in-bounds ranges.
function normalizeRanges(ranges: VlanRange[]): VlanRange[] {
  const clean = ranges
    .filter((r) => Number.isInteger(r.from) && Number.isInteger(r.to) && r.from <= r.to)
    .map((r) => ({ from: Math.max(r.from, VLAN_MIN), to: Math.min(r.to, VLAN_MAX) }))
    .filter((r) => r.from <= r.to)
    .sort((a, b) => a.from - b.from);
  const merged: VlanRange[] = [];
  for (const range of clean) {
    const last = merged[merged.length - 1];
    if (last && range.from <= last.to + 1) last.to = Math.max(last.to, range.to);
    else merged.push(range);
  }
  return merged;
}

function parseItems(text: string): ParseResult<{ items: VlanRange[] }> {
  if (text.length > MAX_INPUT_LENGTH) {
    return fail(`That list is too long (${text.length} characters); keep it under ${MAX_INPUT_LENGTH} by using ranges like 100-199.`);
  }
  // Spaces around a dash belong to the range ("2 - 99"), not to the list separators.
  const tokens = text
    .replace(/\s*[-–]\s*/g, "-")
    .split(/[\s,]+/)
    .filter((token) => token !== "");

  const items: VlanRange[] = [];
  for (const token of tokens) {
    const match = /^([0-9]+)(?:-([0-9]+))?$/.exec(token);
    if (!match) {
      return fail(`"${echo(token)}" is not a VLAN ID or range; use whole numbers like 200 or 300-310, separated by commas.`);
    }
    const fromText = match[1] ?? "";
    const toText = match[2] ?? fromText;
    for (const part of [fromText, toText]) {
      const id = Number(part);
      if (id < VLAN_MIN || id > VLAN_MAX) return fail(`VLAN ${echo(part)} is outside ${VLAN_MIN}–${VLAN_MAX}.`);
    }
    const from = Number(fromText);
    const to = Number(toText);
    if (from > to) return fail(`The range ${from}-${to} runs backwards; write it as ${to}-${from}.`);
    items.push({ from, to });
  }
  return { ok: true, items };
}

function formatRange(range: VlanRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

// User text goes back into an error message: keep it short and strip invisible or
// direction-changing characters that could make the message misleading.
function echo(text: string): string {
  const chars = Array.from(text.replace(/[\p{Cc}\p{Cf}]/gu, "\uFFFD"));
  return chars.length > ECHO_LENGTH ? `${chars.slice(0, ECHO_LENGTH).join("")}…` : chars.join("");
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
