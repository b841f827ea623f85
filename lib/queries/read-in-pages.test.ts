import { describe, expect, it } from "vitest";
import { PAGE_ROWS, readInPages } from "./read-in-pages";

/** A table in key order, read as a keyset page would read it; every call recorded. */
function table(size: number) {
  const rows = Array.from({ length: size }, (_, i) => ({ key: i * 3 }));
  const calls: { after: number | null; limit: number }[] = [];
  const readPage = async (after: { key: number } | null, limit: number) => {
    calls.push({ after: after?.key ?? null, limit });
    return rows.filter((r) => after === null || r.key > after.key).slice(0, limit);
  };
  return { rows, calls, readPage };
}

describe("readInPages", () => {
  it("reads every row once, in order, whatever the page size", async () => {
    for (const pageRows of [1, 2, 3, 7, 10, 11, 1_000]) {
      const t = table(10);
      expect(await readInPages(t.readPage, { pageRows })).toEqual(t.rows);
    }
  });

  it("starts each page after the last row of the one before, and stops at the first short page", async () => {
    const t = table(7);
    await readInPages(t.readPage, { pageRows: 3 });
    expect(t.calls).toEqual([
      { after: null, limit: 3 },
      { after: 6, limit: 3 },
      { after: 15, limit: 3 },
    ]);
  });

  it("asks once more when the rows fill the last page exactly, and gets nothing", async () => {
    const t = table(6);
    expect(await readInPages(t.readPage, { pageRows: 3 })).toEqual(t.rows);
    expect(t.calls.map((c) => c.after)).toEqual([null, 6, 15]);
  });

  it("reads an empty table in one statement", async () => {
    const t = table(0);
    expect(await readInPages(t.readPage)).toEqual([]);
    expect(t.calls).toEqual([{ after: null, limit: PAGE_ROWS }]);
  });

  it("reads in one statement when pages are unbounded", async () => {
    const t = table(5_000);
    expect(await readInPages(t.readPage, { pageRows: Number.POSITIVE_INFINITY })).toHaveLength(5_000);
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.after).toBeNull();
  });

  it("refuses a page size that could not make progress", async () => {
    for (const pageRows of [0, -1, Number.NaN]) await expect(readInPages(table(3).readPage, { pageRows })).rejects.toThrow(/pageRows must be at least 1/);
  });
});
