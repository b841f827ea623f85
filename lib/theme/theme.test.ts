import { describe, expect, it } from "vitest";
import { parseThemeChoice, THEME_CLASSES, themeClassOf, themeCookie } from "./theme";

describe("parseThemeChoice", () => {
  it("keeps a known choice", () => {
    expect(parseThemeChoice("dark")).toBe("dark");
    expect(parseThemeChoice("light")).toBe("light");
    expect(parseThemeChoice("system")).toBe("system");
  });

  it("follows the system for anything else: absent, empty, another case, hostile", () => {
    for (const value of [undefined, null, "", "Dark", "dark ", "blue", "dark; Path=/", "<script>"]) {
      expect(parseThemeChoice(value)).toBe("system");
    }
  });
});

describe("themeClassOf", () => {
  it("pins light and dark and leaves system to the media query", () => {
    expect(themeClassOf("dark")).toBe("dark");
    expect(themeClassOf("light")).toBe("light");
    expect(themeClassOf("system")).toBe("theme-system");
    expect(new Set(THEME_CLASSES).size).toBe(3);
  });
});

describe("themeCookie", () => {
  it("is a year-long, site-wide, same-site cookie, Secure over HTTPS", () => {
    expect(themeCookie("dark", true)).toBe("bridgehead-theme=dark; Path=/; Max-Age=31536000; SameSite=Lax; Secure");
    expect(themeCookie("light", false)).not.toContain("Secure");
  });
});
