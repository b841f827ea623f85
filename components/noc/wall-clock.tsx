"use client";

import { useNow } from "./use-now";

// Built once: a formatter per tick would be garbage the wall makes 86,400 times a day.
const TIME = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" } as const;
const utcTime = new Intl.DateTimeFormat("en-GB", { ...TIME, timeZone: "UTC" });
const utcDate = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const localTime = new Intl.DateTimeFormat("en-GB", TIME);

/**
 * UTC (what incident timelines use) and the room's local time, ticking every second. Only this
 * component re-renders each second; the tiles do not.
 */
export function WallClock() {
  const now = useNow(1_000);
  const zone = now === null ? "" : localTime.resolvedOptions().timeZone;
  return (
    <div className="flex shrink-0 items-center gap-[0.8em] tabular-nums">
      <div className="text-right">
        <div className="text-[2.75em] leading-none font-bold">
          <time dateTime={now === null ? undefined : new Date(now).toISOString()}>{now === null ? "--:--:--" : utcTime.format(now)}</time>
          <span className="ml-[0.3em] text-[0.45em] font-semibold text-gray-700 dark:text-gray-300">UTC</span>
        </div>
        <div className="text-[1.1em] text-gray-700 dark:text-gray-300">{now === null ? "\u00a0" : utcDate.format(now)}</div>
      </div>
      <div className="border-l-[0.15em] border-gray-400 dark:border-gray-700 pl-[0.8em] text-right">
        <div className="text-[2.75em] leading-none font-bold">{now === null ? "--:--:--" : localTime.format(now)}</div>
        <div className="text-[1.1em] text-gray-700 dark:text-gray-300">{zone ? `Local · ${zone}` : "Local"}</div>
      </div>
    </div>
  );
}
