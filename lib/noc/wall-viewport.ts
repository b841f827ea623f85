/**
 * The wall's screen size as the server learns it: the wall writes it into a cookie when it runs
 * (and on every resize), so the next load of the page is cut for that screen
 * (lib/noc/wall-slice.ts). A wall that has never run on this browser, or a cookie that does not
 * parse, gets the design size: the page then draws the design size's first page until the whole
 * snapshot arrives, a moment later.
 *
 * Pure functions only.
 */
import { WALL_DESIGN } from "./layout";
import type { WallViewport } from "./wall-slice";

export const WALL_VIEWPORT_COOKIE = "bridgehead-noc-viewport";

/** Outside these a screen is not a wall (or the cookie was tampered with): the design size is used. */
const BOUNDS = { min: { width: 200, height: 150 }, max: { width: 16_384, height: 16_384 } } as const;

export const DESIGN_VIEWPORT: WallViewport = { width: WALL_DESIGN.width, height: WALL_DESIGN.height };

/** `1920x1080` → { width: 1920, height: 1080 }; null when absent, malformed or out of bounds. */
export function parseWallViewport(value: string | undefined | null): WallViewport | null {
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(value ?? "");
  if (!match) return null;
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < BOUNDS.min.width || width > BOUNDS.max.width || height < BOUNDS.min.height || height > BOUNDS.max.height) return null;
  return { width, height };
}

/** The cookie's value for a window of this size (CSS pixels, rounded down as the layout does). */
export function formatWallViewport(viewport: WallViewport): string {
  return `${Math.floor(viewport.width)}x${Math.floor(viewport.height)}`;
}
