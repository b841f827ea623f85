import { describe, expect, it } from "vitest";
import { tenantVersion } from "./tenant-version";

describe("tenantVersion", () => {
  const row = { id: "t1", displayName: "Contoso", contacts: [{ name: "Ada" }], updatedAt: new Date("2026-01-01T00:00:00Z") };

  it("is the same for the same record, whatever the key order", () => {
    expect(tenantVersion(row)).toBe(tenantVersion({ updatedAt: new Date("2026-01-01T00:00:00Z"), contacts: [{ name: "Ada" }], displayName: "Contoso", id: "t1" }));
  });

  it("changes when any field changes, nested values and times included", () => {
    const base = tenantVersion(row);
    expect(tenantVersion({ ...row, displayName: "Contoso Ltd" })).not.toBe(base);
    expect(tenantVersion({ ...row, contacts: [{ name: "Bea" }] })).not.toBe(base);
    expect(tenantVersion({ ...row, updatedAt: new Date("2026-01-01T00:00:01Z") })).not.toBe(base);
  });
});
