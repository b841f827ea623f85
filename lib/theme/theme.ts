/**
 * The console's colour theme: what a person chose (follow the system, light or dark) and the
 * class the document carries for it. The choice is kept in a cookie, not localStorage, so the
 * server renders the right class into the first byte of every page: no script has to run before
 * paint (the strict CSP would need it nonce'd) and there is no flash of the wrong theme. "system"
 * is resolved by CSS (`prefers-color-scheme`, see app/globals.css), so it follows the operating
 * system live, also at night when it switches on its own.
 *
 * Pure: no framework imports; the root layout and the toggle share it.
 */

export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

export const THEME_COOKIE = "bridgehead-theme";
/** A year: a preference, not a session. */
export const THEME_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

export const THEME_LABEL: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

/** A cookie's value as a choice; anything unknown (absent, tampered, from an older release) follows the system. */
export function parseThemeChoice(value: string | null | undefined): ThemeChoice {
  return THEME_CHOICES.find((choice) => choice === value) ?? "system";
}

/**
 * The class on <html> for a choice. `theme-system` lets CSS decide from the media query; `dark`
 * and `light` pin it. `light` is a class too, so a region that must stay light inside a dark page
 * (or the reverse) can say so (globals.css's `dark` variant honours the nearest one).
 */
export function themeClassOf(choice: ThemeChoice): string {
  return choice === "system" ? "theme-system" : choice;
}

/** Every class themeClassOf may put on <html>, so a change removes the old one. */
export const THEME_CLASSES = THEME_CHOICES.map(themeClassOf);

/** The Set-Cookie value (as document.cookie takes it) that keeps a choice. */
export function themeCookie(choice: ThemeChoice, secure: boolean): string {
  return `${THEME_COOKIE}=${choice}; Path=/; Max-Age=${THEME_COOKIE_MAX_AGE_S}; SameSite=Lax${secure ? "; Secure" : ""}`;
}
