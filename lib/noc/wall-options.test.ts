import { describe, expect, it } from "vitest";
import { parseWallOptions } from "./wall-options";

describe("parseWallOptions", () => {
  it("defaults to a dark wall that does not rotate", () => {
    expect(parseWallOptions({})).toEqual({ options: { rotateMs: null, theme: "dark" }, problems: [] });
  });

  it("reads rotation in whole seconds and the theme", () => {
    expect(parseWallOptions({ rotate: "30", theme: "light" }).options).toEqual({ rotateMs: 30_000, theme: "light" });
    expect(parseWallOptions({ rotate: "5" }).options.rotateMs).toBe(5_000);
    expect(parseWallOptions({ rotate: "3600" }).options.rotateMs).toBe(3_600_000);
    expect(parseWallOptions({ rotate: "off" })).toEqual({ options: { rotateMs: null, theme: "dark" }, problems: [] });
  });

  it("takes the first of a repeated parameter", () => {
    expect(parseWallOptions({ rotate: ["10", "20"], theme: ["light", "dark"] }).options).toEqual({ rotateMs: 10_000, theme: "light" });
  });

  it("falls back to the default for anything else and says what it ignored", () => {
    for (const rotate of ["4", "3601", "1.5", "-10", "10s", "1e3", "abc", "99999"]) {
      const { options, problems } = parseWallOptions({ rotate });
      expect(options.rotateMs, rotate).toBeNull();
      expect(problems[0]).toMatch(/^rotate=.* ignored: give whole seconds from 5 to 3600, or off$/);
    }
    const { options, problems } = parseWallOptions({ theme: "neon" });
    expect(options.theme).toBe("dark");
    expect(problems).toEqual(["theme=neon ignored: give dark or light"]);
  });
});
