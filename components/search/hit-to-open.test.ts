import { describe, expect, it } from "vitest";
import { hitToOpen } from "./hit-to-open";

describe("hitToOpen", () => {
  const answered = { hits: ["contoso"], active: -1, typed: "contoso", answered: "contoso", stale: false };

  it("opens the highlighted result, or the only one", () => {
    expect(hitToOpen(answered)).toBe("contoso");
    expect(hitToOpen({ ...answered, hits: ["a", "b"], active: 1 })).toBe("b");
    expect(hitToOpen({ ...answered, hits: ["a", "b"] })).toBeUndefined();
  });

  it("opens nothing while the results on screen answer an earlier text", () => {
    // Typed past the last pause: the list still answers "contoso".
    expect(hitToOpen({ ...answered, typed: "contoso-b" })).toBeUndefined();
    // The pause came and the new question is out; the old answer is kept up meanwhile.
    expect(hitToOpen({ ...answered, typed: "contoso-b", answered: "contoso-b", stale: true })).toBeUndefined();
  });

  it("ignores the spaces around what was typed, as the question does", () => {
    expect(hitToOpen({ ...answered, typed: " contoso " })).toBe("contoso");
  });
});
