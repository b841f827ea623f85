/**
 * Time-axis ticks on round UTC times (every 10 minutes, 3 hours, a day…), since a numeric axis
 * left to itself ticks at epoch values such as 1717245123456, which read as nonsense times.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];

/** At most `maxTicks` ticks inside [from, to], at whole multiples of the smallest step that fits. */
export function timeTicks(from: number, to: number, maxTicks = 6): number[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from || maxTicks < 1) return [];
  const span = to - from;
  const step = STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

const timeOfDay = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dayOfMonth = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short" });
const full = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/**
 * Tick labels in UTC, like every time in the console (the server renders them too, and a time
 * zone that differed between server and browser would change the text on hydration).
 */
export function formatTick(ms: number, axis: "time" | "date"): string {
  return axis === "time" ? timeOfDay.format(ms) : dayOfMonth.format(ms);
}

/** A point's time in a tooltip: "3 Jun, 14:05 UTC". */
export function formatInstant(ms: number): string {
  return `${full.format(ms)} UTC`;
}
