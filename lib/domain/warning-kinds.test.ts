import { describe, expect, it } from "vitest";
import { warningKindLabel } from "./warning-kinds";

describe("warningKindLabel", () => {
  it("names a known kind in words", () => {
    expect(warningKindLabel("asymmetric-routing")).toBe("Asymmetric routing");
    expect(warningKindLabel("loss")).toBe("Packet loss");
  });

  it("shows a kind it does not know as itself, even one named like an object property", () => {
    expect(warningKindLabel("new-rule-from-a-later-release")).toBe("new-rule-from-a-later-release");
    expect(warningKindLabel("constructor")).toBe("constructor");
    expect(warningKindLabel("__proto__")).toBe("__proto__");
  });
});
