"use client";

import { useSyncExternalStore } from "react";

/** What the subscription needs of a window (a test passes its own). */
export type PixelRatioWindow = Pick<Window, "devicePixelRatio" | "matchMedia">;

/**
 * Calls `onChange` whenever the window's devicePixelRatio changes: the wall moved to a screen
 * with another scaling, or the browser zoomed. No event says so, and a `resize` does not come
 * when the CSS size stays the same; a media query for the current resolution stops matching
 * instead, and is then replaced by one for the new ratio. Returns the unsubscribe.
 */
export function subscribePixelRatio(win: PixelRatioWindow, onChange: () => void): () => void {
  let query: MediaQueryList | null = null;
  const changed = () => {
    query?.removeEventListener("change", changed);
    listen();
    onChange();
  };
  const listen = () => {
    query = win.matchMedia(`(resolution: ${win.devicePixelRatio || 1}dppx)`);
    query.addEventListener("change", changed);
  };
  listen();
  return () => query?.removeEventListener("change", changed);
}

const subscribe = (onChange: () => void) => subscribePixelRatio(window, onChange);
const read = () => window.devicePixelRatio || 1;
const readOnServer = () => 1;

/** Device pixels per CSS pixel, following changes (a canvas sized for the old one is blurred). */
export function usePixelRatio(): number {
  return useSyncExternalStore(subscribe, read, readOnServer);
}
