"use client";

import { useEffect, useState } from "react";
import { browserClock, startRotation } from "@/lib/noc/rotation";

/**
 * 0, 1, … length−1, 0, …: one step per `intervalMs` slot, scheduled from the slot (see
 * lib/noc/rotation.ts), so a wall left for days does not drift. Always 0 when there is nothing
 * to cycle.
 */
export function useCycle(length: number, intervalMs: number): number {
  const [index, setIndex] = useState(0);
  useEffect(() => startRotation({ pages: length, periodMs: intervalMs, clock: browserClock, onPage: setIndex }), [length, intervalMs]);
  // The list may have shrunk since the last step.
  return length <= 1 ? 0 : index % length;
}
