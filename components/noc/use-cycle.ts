"use client";

import { useEffect, useState } from "react";

/** 0, 1, … length−1, 0, …: one step every `intervalMs`. Always 0 when there is nothing to cycle. */
export function useCycle(length: number, intervalMs: number): number {
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (length <= 1) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % length), intervalMs);
    return () => clearInterval(timer);
  }, [length, intervalMs]);
  // The list may have shrunk since the last step.
  return length <= 1 ? 0 : index % length;
}
