"use client";

import { useMemo, useSyncExternalStore } from "react";

function subscribe(onChange: () => void) {
  window.addEventListener("resize", onChange);
  return () => window.removeEventListener("resize", onChange);
}

// Strings, so an unchanged size is an unchanged snapshot and nothing re-renders.
const read = () => `${window.innerWidth}x${window.innerHeight}`;
// The server cannot know the screen; it lays out for the wall's design size, which the
// browser corrects on its first render.
const readOnServer = () => "1920x1080";

/** The window's size in CSS pixels, following resizes (and a screen moved to another display). */
export function useViewport(): { width: number; height: number } {
  const size = useSyncExternalStore(subscribe, read, readOnServer);
  return useMemo(() => {
    const [width, height] = size.split("x").map(Number);
    return { width: width ?? 0, height: height ?? 0 };
  }, [size]);
}
