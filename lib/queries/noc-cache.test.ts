import { describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import type { NocSnapshot } from "./noc";
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

describe("GET /api/v1/noc's answer from the kept snapshot", () => {
  const served = serveNocSnapshot(snapshot("2025-06-01T12:00:00.000Z"));

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
    const older = serveNocSnapshot(snapshot("2025-06-01T11:59:55.000Z"));
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

  it("names the same JSON with the same ETag, in any process", () => {
    expect(serveNocSnapshot(snapshot("2025-06-01T12:00:00.000Z")).etag).toBe(served.etag);
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
    expect(JSON.parse(second.body).generatedAt).toBe("2025-06-01T12:00:00.000Z");
  });
});
