/**
 * The audit trail as a file, through the API with a read token: CSV a spreadsheet reads back
 * exactly (JSON columns, commas and quotes intact) and JSON Lines, filtered, across many batches.
 */
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as listAudit } from "@/app/api/v1/audit/route";
import { GET as exportAudit } from "@/app/api/v1/audit/export/route";
import type { Database } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { useTestApp } from "./support/personas";

let db: Database;
let token: string;

beforeAll(async () => {
  db = await useTestApp();
  token = (await makeApiToken({ name: "auditor", scope: "read" })).token;
  await db.insert(auditEvents).values(
    Array.from({ length: 2500 }, (_, i) => ({ actor: `ops, "night" shift ${i}`, action: "test.export", entityType: "thing", entityId: String(i), after: { note: `line\n${i}` } })),
  );
  // Events around a window, for the filters: who, what, [from, to).
  const at = (time: string) => new Date(`2026-01-01T${time}Z`);
  await db.insert(auditEvents).values([
    { actor: "alice@contoso.example", action: "test.window", entityType: "thing", entityId: "too-early", at: at("07:59:59") },
    { actor: "alice@contoso.example", action: "test.window", entityType: "thing", entityId: "first", at: at("08:00:00") },
    { actor: "bob@fabrikam.example", action: "test.window", entityType: "thing", entityId: "someone-else", at: at("09:00:00") },
    { actor: "alice@contoso.example", action: "test.other", entityType: "thing", entityId: "other-action", at: at("09:00:00") },
    { actor: "alice@contoso.example", action: "test.window", entityType: "thing", entityId: "last", at: at("09:59:59") },
    { actor: "alice@contoso.example", action: "test.window", entityType: "thing", entityId: "at-the-end", at: at("10:00:00") },
  ]);
});

describe("GET /api/v1/audit/export", () => {
  it("streams every matching event as JSON Lines, newest first, across batches", async () => {
    const response = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=jsonl&action=test.export" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="bridgehead-audit.jsonl"');
    const events = (await response.text()).trimEnd().split("\n").map((line) => JSON.parse(line) as { id: number; entityId: string; after: { note: string } });
    expect(events).toHaveLength(2500);
    expect(events.every((e, i) => i === 0 || e.id < events[i - 1]!.id)).toBe(true);
    expect(events[0]).toMatchObject({ entityId: "2499", after: { note: "line\n2499" } });
  });

  it("writes CSV that parses back to the same values", async () => {
    const response = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=csv&action=test.export" });
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const [header, ...rows] = parse(await response.text()) as string[][];
    expect(header).toEqual(["id", "at", "actor", "action", "entityType", "entityId", "tenant", "before", "after"]);
    expect(rows).toHaveLength(2500);
    expect(rows.at(-1)!.slice(2, 6)).toEqual(['ops, "night" shift 0', "test.export", "thing", "0"]);
    expect(JSON.parse(rows.at(-1)![8]!)).toEqual({ note: "line\n0" });
  });

  it("keeps a cell a spreadsheet would run as a formula as text", async () => {
    // A sign-in name or display name is not ours to choose; opened in Excel or Sheets, a cell
    // starting with = + - @ (or a tab or carriage return) would be evaluated (CSV injection).
    const actors = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];
    await db.insert(auditEvents).values(actors.map((actor) => ({ actor, action: "test.formula", entityType: "thing", entityId: "x" })));
    const response = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=csv&action=test.formula" });
    const [, ...rows] = parse(await response.text()) as string[][];
    const cells = rows.map((row) => row[2]!).reverse();
    expect(cells).toEqual(actors.map((actor) => `'${actor}`));
    const jsonl = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=jsonl&action=test.formula" });
    // JSON Lines is for programs, not spreadsheets: values stay exactly as recorded.
    expect((await jsonl.text()).trimEnd().split("\n").map((line) => (JSON.parse(line) as { actor: string }).actor).reverse()).toEqual(actors);
  });

  it("exports only what the audit page's filter holds: who (any case, part of the name), what, and a window [from, to)", async () => {
    const response = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=csv&action=test.window&actor=ALICE%40contoso&from=2026-01-01T08:00&to=2026-01-01T10:00" });
    expect(response.status).toBe(200);
    const [, ...rows] = parse(await response.text()) as string[][];
    expect(rows.map((row) => row[5])).toEqual(["last", "first"]);
    const jsonl = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=jsonl&actor=bob%40fabrikam&from=2026-01-01T00:00%2B00:00" });
    expect((await jsonl.text()).trimEnd().split("\n").map((line) => (JSON.parse(line) as { entityId: string }).entityId)).toEqual(["someone-else"]);
  });

  it("filters the paged list the same way as the export", async () => {
    const response = await callApi(listAudit, { token, path: "/api/v1/audit?action=test.window&actor=alice&from=2026-01-01T08:00&to=2026-01-01T10:00&limit=1" });
    expect(response.status).toBe(200);
    const first = (await response.json()) as { items: { entityId: string }[]; next: string | null };
    expect(first.items.map((e) => e.entityId)).toEqual(["last"]);
    const second = (await (await callApi(listAudit, { token, path: `/api/v1/audit?action=test.window&actor=alice&from=2026-01-01T08:00&to=2026-01-01T10:00&limit=1&cursor=${first.next}` })).json()) as { items: { entityId: string }[]; next: string | null };
    expect(second).toEqual({ items: [expect.objectContaining({ entityId: "first" })], next: null });
    expect((await callApi(listAudit, { token, path: "/api/v1/audit?from=2026-01-02&to=2026-01-01" })).status).toBe(400);
  });

  it("refuses a window that ends before it starts, and a time it cannot read", async () => {
    const backwards = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=csv&from=2026-01-02T00:00&to=2026-01-01T00:00" });
    expect(backwards.status).toBe(400);
    expect(((await backwards.json()) as { errors: Record<string, string[]> }).errors).toEqual({ to: ["Must be after the start of the window."] });
    const garbled = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=csv&from=last%20tuesday" });
    expect(garbled.status).toBe(400);
    expect(Object.keys(((await garbled.json()) as { errors: Record<string, string[]> }).errors)).toEqual(["from"]);
    // A year PostgreSQL cannot store is the caller's typo (400), not the server's failure (500).
    for (const path of ["/api/v1/audit/export?format=csv&from=0000-01-01", "/api/v1/audit?to=0000-12-31T08:00"]) {
      const response = await callApi(path.includes("export") ? exportAudit : listAudit, { token, path });
      expect(response.status, path).toBe(400);
    }
  });

  it("names a bad parameter", async () => {
    const response = await callApi(exportAudit, { token, path: "/api/v1/audit/export?format=xlsx" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Record<string, string[]> }).errors).toEqual({ format: ["csv or jsonl."] });
  });
});
