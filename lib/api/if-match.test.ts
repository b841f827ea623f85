import { describe, expect, it } from "vitest";
import { entityTag, matchesStrongly, parseIfMatch } from "./if-match";

describe("parseIfMatch", () => {
  it("tells an absent header from * and from a list", () => {
    expect(parseIfMatch(null)).toEqual({ kind: "absent" });
    expect(parseIfMatch("*")).toEqual({ kind: "any" });
    expect(parseIfMatch("  *  ")).toEqual({ kind: "any" });
    expect(parseIfMatch('"v1"')).toEqual({ kind: "tags", tags: [{ weak: false, opaque: "v1" }] });
  });

  it("reads comma-separated lists, weak tags marked, empty elements ignored", () => {
    expect(parseIfMatch('"a", W/"b" ,"c",, ')).toEqual({
      kind: "tags",
      tags: [
        { weak: false, opaque: "a" },
        { weak: true, opaque: "b" },
        { weak: false, opaque: "c" },
      ],
    });
  });

  it("keeps the opaque part as sent: an empty tag and ISO times are tags", () => {
    expect(parseIfMatch('""')).toEqual({ kind: "tags", tags: [{ weak: false, opaque: "" }] });
    expect(parseIfMatch('"2026-12-05T00:55:00.123Z"')).toEqual({ kind: "tags", tags: [{ weak: false, opaque: "2026-12-05T00:55:00.123Z" }] });
  });

  it("refuses what is not an entity tag, saying what to send", () => {
    for (const bad of ["", "  ", "v1", '"v1', 'v1"', 'w/"v1"', 'W/ "v1"', '"a"b"', '"a" "b"', '*, "a"', '"tab\there"', '"sp ace"', ","]) {
      const parsed = parseIfMatch(bad);
      expect(parsed.kind, bad).toBe("invalid");
      if (parsed.kind === "invalid") expect(parsed.message).toMatch(/double quotes/);
    }
  });
});

describe("matchesStrongly", () => {
  const tags = (header: string) => {
    const parsed = parseIfMatch(header);
    if (parsed.kind !== "tags") throw new Error(`not a list: ${header}`);
    return parsed.tags;
  };

  it("matches when any strong tag in the list is the current version", () => {
    expect(matchesStrongly(tags('"v1"'), "v1")).toBe(true);
    expect(matchesStrongly(tags('"v0", "v1"'), "v1")).toBe(true);
    expect(matchesStrongly(tags('"v0", "v2"'), "v1")).toBe(false);
  });

  it("never matches a weak tag, even one naming the current version", () => {
    expect(matchesStrongly(tags('W/"v1"'), "v1")).toBe(false);
    expect(matchesStrongly(tags('W/"v1", "v0"'), "v1")).toBe(false);
    expect(matchesStrongly(tags('W/"v1", "v1"'), "v1")).toBe(true);
  });

  it("compares exactly: case and surrounding text count", () => {
    expect(matchesStrongly(tags('"V1"'), "v1")).toBe(false);
    expect(matchesStrongly(tags('"v1x"'), "v1")).toBe(false);
  });

  it("round-trips what entityTag writes", () => {
    expect(matchesStrongly(tags(entityTag("abc")), "abc")).toBe(true);
  });
});
