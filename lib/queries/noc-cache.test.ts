import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import type { NocSnapshot, NocTile } from "./noc";
import { nocSnapshotCache, nocSnapshotResponse, serveNocSnapshot } from "./noc-cache";

const snapshot = (generatedAt: string): NocSnapshot => ({
  generatedAt,
  newestSampleAt: null,
  sampleIntervalMs: 30_000,
  counts: { operational: 1, degraded: 0, down: 0, stale: 0, maintenance: 0 },
  warningCounts: { critical: 0, warning: 0, info: 0 },
  tiles: [],
  warnings: [],
});

const get = (headers: Record<string, string> = {}) => new Request("https://console.example/api/v1/noc", { headers });

// Top-level: it.each below names the ETag as the tests are collected.
const served = await serveNocSnapshot(snapshot("2025-06-01T12:00:00.000Z"));

describe("GET /api/v1/noc's answer from the kept snapshot", () => {

  it("sends the kept JSON with its ETag, for the browser to keep and ask about again", async () => {
    const response = nocSnapshotResponse(get(), served);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(served.etag);
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(await response.text())).toEqual(served.snapshot);
  });

  it.each([served.etag, `W/${served.etag}`, `"other", ${served.etag}`, "*"])("answers 304 with no body to If-None-Match: %s", async (tag) => {
    const response = nocSnapshotResponse(get({ "if-none-match": tag }), served);
    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe(served.etag);
    expect(await response.text()).toBe("");
  });

  it("sends the whole snapshot when the caller holds an older one", async () => {
    const older = await serveNocSnapshot(snapshot("2025-06-01T11:59:55.000Z"));
    expect(older.etag).not.toBe(served.etag);
    const response = nocSnapshotResponse(get({ "if-none-match": older.etag }), served);
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text()).generatedAt).toBe("2025-06-01T12:00:00.000Z");
  });

  it("says in Age how old the kept snapshot is, in whole seconds, on a 200 and on a 304", () => {
    const at = Date.parse("2025-06-01T12:00:00.000Z");
    expect(nocSnapshotResponse(get(), served, at + 18_900).headers.get("age")).toBe("18");
    expect(nocSnapshotResponse(get({ "if-none-match": served.etag }), served, at + 4_000).headers.get("age")).toBe("4");
    // A clock behind the snapshot's claims no negative age.
    expect(nocSnapshotResponse(get(), served, at - 1_000).headers.get("age")).toBe("0");
  });

  it("names the same JSON with the same ETag, in any process", async () => {
    expect((await serveNocSnapshot(snapshot("2025-06-01T12:00:00.000Z"))).etag).toBe(served.etag);
    expect(served.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });
});

describe("the kept snapshot", () => {
  it("serializes once per read, not once per request, and dates it by the read's start", async () => {
    let clock = Date.parse("2025-06-01T12:00:00Z");
    const reads: string[] = [];
    const cache = nocSnapshotCache({} as Database, {
      now: () => clock,
      schedule: () => ({ cancel() {} }),
      read: async (at) => {
        reads.push(at.toISOString());
        clock += 2_000; // the read takes 2 s
        return snapshot(at.toISOString());
      },
    });
    const first = (await cache.get()).value;
    clock += 1_000;
    const second = (await cache.get()).value;
    expect(second).toBe(first);
    expect(second.body).toBe(first.body);
    expect(reads).toEqual(["2025-06-01T12:00:00.000Z"]);
    expect(JSON.parse(second.body.toString("utf8")).generatedAt).toBe("2025-06-01T12:00:00.000Z");
  });
});

describe("the kept snapshot's JSON, written in slices", () => {
  const tile = (i: number): NocTile => ({
    tunnelId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    label: `tenant-${i}/primary “ü”`,
    status: i % 2 === 0 ? "operational" : "down",
    statusChangedAt: "2025-06-01T11:00:00.000Z",
    rttMs: i % 3 === 0 ? null : 12.5,
    sparkline: [null, 1.5, 22, null],
    pairRole: i % 2 === 0 ? "carrying" : null,
    throughput: i % 2 === 0 ? { toAvsBps: 1_000, fromAvsBps: null } : null,
  });
  const warning = { id: "w1", severity: "critical" as const, kind: "tunnel-down", title: "Tunnel down", label: "tenant-1/primary", message: 'Says "no".', openedAt: "2025-06-01T11:58:00.000Z", acknowledged: false };

  it("is exactly JSON.stringify of the snapshot, and its ETag names that JSON", async () => {
    for (const tiles of [[], [tile(0)], Array.from({ length: 7 }, (_, i) => tile(i))]) {
      const whole = { ...snapshot("2025-06-01T12:00:00.000Z"), tiles, warnings: [warning] };
      const sliced = await serveNocSnapshot(whole, { sliceMs: 10, now: (() => { let t = 0; return () => (t += 4); })() });
      expect(sliced.body.toString("utf8")).toBe(JSON.stringify(whole));
      expect(sliced.etag).toBe(`"${createHash("sha256").update(JSON.stringify(whole)).digest("base64url").slice(0, 27)}"`);
    }
  });

  it("is exactly JSON.stringify of the snapshot whatever order its fields come in, lone surrogates and all", async () => {
    // A NocSnapshot is any object of the type: nothing in it says the tiles and the warnings come
    // last. The served body must still be the one JSON.stringify writes, or the claim (and the
    // ETag a browser holds across a console upgrade) rests on how noc.ts happens to order its return.
    const { tiles: _tiles, warnings: _warnings, ...rest } = snapshot("2025-06-01T12:00:00.000Z");
    const odd = { ...tile(1), label: "tenant-\ud800/\u2028 \"x\"" };
    const reordered: NocSnapshot = { tiles: [tile(0), odd], warnings: [warning], ...rest };
    const sliced = await serveNocSnapshot(reordered, { sliceMs: 10, now: (() => { let t = 0; return () => (t += 4); })() });
    expect(sliced.body.toString("utf8")).toBe(JSON.stringify(reordered));
    // The ETag names the bytes sent, which past ASCII are the UTF-8 of that JSON.
    expect(sliced.etag).toBe(`"${createHash("sha256").update(JSON.stringify(reordered)).digest("base64url").slice(0, 27)}"`);
  });

  it("lets the event loop turn between tiles once a slice has run its length, never inside one", async () => {
    const events: string[] = [];
    // Each tile says when it is written; a clock that moves 4 ms per reading makes each "take" 4 ms.
    const tiles = Array.from({ length: 7 }, (_, i) => ({ ...tile(i), toJSON: () => (events.push(`tile ${i}`), tile(i)) }));
    setImmediate(() => events.push("turn"));
    let t = 0;
    const served = await serveNocSnapshot({ ...snapshot("2025-06-01T12:00:00.000Z"), tiles }, { sliceMs: 10, now: () => (t += 4) });
    expect(events).toEqual(["tile 0", "tile 1", "tile 2", "turn", "tile 3", "tile 4", "tile 5", "tile 6"]);
    expect(JSON.parse(served.body.toString("utf8")).tiles).toEqual(Array.from({ length: 7 }, (_, i) => tile(i)));
  });
});
