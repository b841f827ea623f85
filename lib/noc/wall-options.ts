/**
 * The wall's settings, from its URL (it has no controls): `/noc?rotate=30&theme=light`.
 * - `rotate`: seconds per page, 5–3600; pages through the healthy tunnels when they do not all
 *   fit, problems staying on every page. Without it, those tunnels are counted on one tile.
 * - `theme`: `dark` (the default: a dim NOC) or `light` (a bright room).
 * A wall must come up whatever its link says, so a value out of range falls back to the default
 * and `problems` says what was ignored (the page logs it; the screen has nobody to read it).
 */

export type WallTheme = "dark" | "light";
export type WallOptions = { rotateMs: number | null; theme: WallTheme };

export const ROTATE_SECONDS = { min: 5, max: 3600 } as const;

type Param = string | string[] | undefined;

export function parseWallOptions(params: { rotate?: Param; theme?: Param }): { options: WallOptions; problems: string[] } {
  const problems: string[] = [];
  const one = (value: Param) => (Array.isArray(value) ? value[0] : value);

  let rotateMs: number | null = null;
  const rotate = one(params.rotate);
  if (rotate !== undefined && rotate !== "" && rotate !== "off") {
    const seconds = /^\d{1,4}$/.test(rotate) ? Number(rotate) : Number.NaN;
    if (seconds >= ROTATE_SECONDS.min && seconds <= ROTATE_SECONDS.max) rotateMs = seconds * 1000;
    else problems.push(`rotate=${JSON.stringify(rotate).slice(1, -1)} ignored: give whole seconds from ${ROTATE_SECONDS.min} to ${ROTATE_SECONDS.max}, or off`);
  }

  let theme: WallTheme = "dark";
  const asked = one(params.theme);
  if (asked === "light" || asked === "dark") theme = asked;
  else if (asked !== undefined && asked !== "") problems.push(`theme=${JSON.stringify(asked).slice(1, -1)} ignored: give dark or light`);

  return { options: { rotateMs, theme }, problems };
}
