"use client";

import { useEffect, useState } from "react";

/**
 * The time, updated on each boundary of `intervalMs` (a clock ticks on the second, not 400 ms
 * past it). Null until mounted, so the server's render and the first client render agree.
 * One timer at a time, cleared on unmount: the wall runs for days.
 */
export function useNow(intervalMs: number): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const at = Date.now();
      setNow(at);
      timer = setTimeout(tick, intervalMs - (at % intervalMs) + 5);
    };
    tick();
    return () => clearTimeout(timer);
  }, [intervalMs]);
  return now;
}
