import { describe, expect, it } from "vitest";
import { segmentDisplayNameFor, segmentNameFor } from "./segment";

describe("segment names", () => {
  it("derives the ARM name from the slug alone, so every attempt names the same segment", () => {
    expect(segmentNameFor("contoso")).toBe("bh-contoso");
    expect(segmentNameFor("contoso")).toBe(segmentNameFor("contoso"));
    expect(segmentNameFor("contoso-prod")).not.toBe(segmentNameFor("contoso"));
  });

  it("shows the slug and VLAN in the portals' display name", () => {
    expect(segmentDisplayNameFor("fabrikam", 120)).toBe("fabrikam VLAN 120");
  });
});
