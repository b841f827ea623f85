import { describe, expect, it } from "vitest";
import { formatWallViewport, parseWallViewport } from "./wall-viewport";

describe("parseWallViewport", () => {
  it("reads what formatWallViewport wrote", () => {
    expect(parseWallViewport(formatWallViewport({ width: 1920, height: 1080 }))).toEqual({ width: 1920, height: 1080 });
    expect(parseWallViewport(formatWallViewport({ width: 3840.7, height: 2160.2 }))).toEqual({ width: 3840, height: 2160 });
  });

  it("gives null for anything else, so the page falls back to the design size", () => {
    for (const value of [undefined, null, "", "1920", "1920x", "x1080", "1920X1080", "1920x1080;", " 1920x1080", "-1920x1080", "1920.5x1080", "1e3x1080", "100x1080", "1920x100", "99999x1080", "1920x20000"]) {
      expect(parseWallViewport(value), String(value)).toBeNull();
    }
  });

  it("takes the bounds themselves", () => {
    expect(parseWallViewport("200x150")).toEqual({ width: 200, height: 150 });
    expect(parseWallViewport("16384x16384")).toEqual({ width: 16384, height: 16384 });
  });
});
