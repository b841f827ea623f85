import { describe, expect, it } from "vitest";
import { MAX_BULK_ROWS, parseBulkCsv, parseBulkJson } from "./bulk-rows";

describe("parseBulkCsv", () => {
  it("turns rows into onboarding objects, one contact from the contact columns, empty cells left to defaults", () => {
    const csv = "\uFEFFslug,displayName,contactName,contactEmail,subnet,vlan\nacme,\"Acme, Inc.\",Ada,ada@acme.example,192.168.1.0/24,\nbeta,Beta,Bea,bea@beta.example,192.168.2.0/24,120\n";
    expect(parseBulkCsv(csv)).toEqual({
      ok: true,
      rows: [
        { slug: "acme", displayName: "Acme, Inc.", subnet: "192.168.1.0/24", contacts: [{ name: "Ada", email: "ada@acme.example" }] },
        { slug: "beta", displayName: "Beta", subnet: "192.168.2.0/24", vlan: "120", contacts: [{ name: "Bea", email: "bea@beta.example" }] },
      ],
    });
  });

  it("names unknown columns and lists the known ones", () => {
    const parsed = parseBulkCsv("slug,colour\nacme,red\n");
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/Unknown column “colour”.*slug/) });
  });

  it("refuses a ragged row, an empty file and too many rows", () => {
    expect(parseBulkCsv("slug,displayName\nacme\n")).toMatchObject({ ok: false, error: expect.stringMatching(/does not parse/) });
    expect(parseBulkCsv("")).toMatchObject({ ok: false, error: expect.stringMatching(/empty/) });
    // A header alone would "succeed" with nothing: all-or-nothing would answer 201 for an empty import.
    expect(parseBulkCsv("slug,displayName\n")).toMatchObject({ ok: false, error: expect.stringMatching(/No rows/) });
    // Two columns of one name: one cell would silently win over the other.
    expect(parseBulkCsv("slug,displayName,slug\na,A,b\n")).toMatchObject({ ok: false, error: expect.stringMatching(/“slug” twice/) });
    const many = `slug\n${Array.from({ length: MAX_BULK_ROWS + 1 }, (_, i) => `t${i}`).join("\n")}\n`;
    expect(parseBulkCsv(many)).toMatchObject({ ok: false, error: expect.stringMatching(/At most 1000 rows/) });
  });
});

describe("parseBulkJson", () => {
  it("takes { rows } or a bare array; a non-object row becomes an empty one for the schema to refuse", () => {
    expect(parseBulkJson({ rows: [{ slug: "a" }] })).toEqual({ ok: true, rows: [{ slug: "a" }] });
    expect(parseBulkJson([{ slug: "a" }, 7])).toEqual({ ok: true, rows: [{ slug: "a" }, {}] });
  });

  it("refuses anything else with what to send", () => {
    expect(parseBulkJson({ tenants: [] })).toMatchObject({ ok: false, error: expect.stringMatching(/rows/) });
    expect(parseBulkJson([])).toMatchObject({ ok: false, error: expect.stringMatching(/No rows/) });
  });
});
