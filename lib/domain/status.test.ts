import { describe, expect, it } from "vitest";
import {
  CHECK_OUTCOME,
  maxSeverity,
  SEGMENT_STATE,
  severityRank,
  STRETCH_STAGE,
  TENANT_STATE,
  TUNNEL_STATUS,
  VLAN_STATE,
  WARNING_SEVERITIES,
  WARNING_SEVERITY,
  WARNING_STATE,
} from "./status";

describe("the status vocabulary", () => {
  it("declares severities in rank order, so the database enum (and ORDER BY severity) sorts them by how bad they are", () => {
    const ranks = WARNING_SEVERITIES.map(severityRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it("picks the worse of two severities", () => {
    expect(maxSeverity("info", "critical")).toBe("critical");
    expect(maxSeverity("warning", "info")).toBe("warning");
    expect(maxSeverity("warning", "warning")).toBe("warning");
  });

  it("gives every status a word, and every status but the pool map's blanks a symbol, so colour is never the only signal", () => {
    const tables = { TUNNEL_STATUS, TENANT_STATE, SEGMENT_STATE, WARNING_SEVERITY, WARNING_STATE, VLAN_STATE, STRETCH_STAGE, CHECK_OUTCOME };
    for (const [table, entries] of Object.entries(tables)) {
      for (const [key, style] of Object.entries(entries)) {
        expect(style.label.trim(), `${table}.${key}`).not.toBe("");
        expect(style.description.trim(), `${table}.${key}`).not.toBe("");
        if (table !== "VLAN_STATE" || !["free", "outside"].includes(key)) expect(style.symbol.trim(), `${table}.${key}`).not.toBe("");
      }
    }
  });
});
