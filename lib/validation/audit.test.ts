import { describe, expect, it } from "vitest";
import { auditExportSearch, auditFilterSearch, auditTime, readAuditPageFilter } from "./audit";

describe("readAuditPageFilter", () => {
  it("reads who, what, tenant and a window, times in UTC as the trail shows them", () => {
    const { filter, errors } = readAuditPageFilter({ actor: " alice ", action: "tenant.onboard", tenant: "Contoso", from: "2026-12-01T08:00", to: "2026-12-02" });
    expect(errors).toEqual({});
    expect(filter).toEqual({ actor: "alice", action: "tenant.onboard", tenant: "contoso", from: new Date("2026-12-01T08:00:00Z"), to: new Date("2026-12-02T00:00:00Z") });
  });

  it("keeps an explicit offset", () => {
    expect(readAuditPageFilter({ from: "2026-12-01T09:00+01:00" }).filter.from).toEqual(new Date("2026-12-01T08:00:00Z"));
  });

  it("treats empty fields, as a GET form sends them, as no filter", () => {
    expect(readAuditPageFilter({ actor: "", action: "", tenant: "", from: "", to: "" })).toEqual({ filter: {}, typed: { actor: "", action: "", tenant: "", from: "", to: "" }, errors: {} });
  });

  it("names a bad field, drops it, and keeps the rest", () => {
    const { filter, typed, errors } = readAuditPageFilter({ actor: "bob", from: "yesterday", action: "DROP TABLE" });
    expect(filter).toEqual({ actor: "bob" });
    expect(typed.from).toBe("yesterday");
    expect(Object.keys(errors).sort()).toEqual(["action", "from"]);
    expect(errors.from![0]).toMatch(/2026-12-05T08:00/);
    expect(readAuditPageFilter({ from: "2026-02-30T08:00" }).errors.from).toBeDefined();
  });

  it("refuses a year the database cannot store (there is no year 0) rather than failing the query", () => {
    // PostgreSQL answers "date/time field value out of range" for year 0: a 500 for a typo.
    expect(auditTime.safeParse("0000-01-01").success).toBe(false);
    expect(auditTime.safeParse("0000-06-01T08:00Z").success).toBe(false);
    expect(auditTime.safeParse("1970-01-01").success).toBe(true);
  });

  it("refuses a window that ends before it starts, naming the end", () => {
    const { filter, errors } = readAuditPageFilter({ from: "2026-12-02T00:00", to: "2026-12-01T00:00" });
    expect(errors).toEqual({ to: ["Must be after the start of the window."] });
    expect(filter).toEqual({ from: new Date("2026-12-02T00:00:00Z") });
  });
});

describe("auditFilterSearch", () => {
  it("keeps the typed filter in links, leaving empty fields out", () => {
    expect(auditFilterSearch({ actor: "alice@contoso.example", action: "", tenant: "contoso" }, { page: "2" })).toBe("actor=alice%40contoso.example&tenant=contoso&page=2");
  });
});

describe("auditExportSearch", () => {
  const typed = { actor: "alice", action: "", tenant: "contoso", from: "", to: "" };

  it("downloads what the list shows: the applied fields, a bad one left out as the list leaves it out", () => {
    expect(auditExportSearch(typed, {}, "csv")).toBe("actor=alice&tenant=contoso&format=csv");
    expect(auditExportSearch({ ...typed, from: "yesterday" }, { from: ["A time such as …"] }, "jsonl")).toBe("actor=alice&tenant=contoso&format=jsonl");
  });

  it("offers no download while the tenant is in error: leaving it out would export every tenant's events where the list shows none", () => {
    expect(auditExportSearch({ ...typed, tenant: "nosuch" }, { tenant: ["No tenant has the slug “nosuch”."] }, "csv")).toBeNull();
    expect(auditExportSearch({ ...typed, tenant: "not_a_slug" }, { tenant: ["A tenant's slug, e.g. contoso."] }, "jsonl")).toBeNull();
  });
});
