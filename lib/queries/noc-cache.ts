/**
 * The fleet snapshot every wall and browser in this process is served: one, kept and refreshed
 * in the background while anyone watches (lib/server/refreshing-value.ts), so a wall's request
 * is answered from memory instead of queueing behind the agents' posts and the background jobs
 * on the database's connection (on PGlite, one for everything).
 *
 * The snapshot is the same for everyone allowed to see it (it carries no per-user data, and the
 * route authorizes before it is handed out), so one copy serves all; it is kept serialized with
 * its ETag, so a refresh costs one JSON.stringify and not one per request, and a wall whose copy
 * is current gets a 304.
 */
import "server-only";
import { createHash } from "node:crypto";
import type { Database } from "@/lib/db/client";
import { processSlot } from "@/lib/server/process-slot";
import { RefreshingValue, type RefreshingValueOptions } from "@/lib/server/refreshing-value";
import { forEachInSlices, type SliceOptions } from "@/lib/server/time-slices";
import { getNocSnapshot, NOC_SHARE_MS, type NocSnapshot } from "./noc";

export type ServedNocSnapshot = { snapshot: NocSnapshot; body: Buffer<ArrayBuffer>; etag: string };

export const NOC_CACHE = {
  /** Younger than this, the snapshot is served without a refresh; the background refresh runs this often. */
  shareMs: NOC_SHARE_MS,
  /**
   * Older than this, a snapshot is not served: the request waits for a read, or gets its error.
   * Above the wall's 15 s poll, so a wall never waits while refreshes succeed; low enough that the
   * wall's "Data stale" banner (two missed polls) still means what it says.
   */
  maxAgeMs: 20_000,
  /** Nobody asked for this long (four of a wall's polls): the background refresh stops. */
  idleMs: 60_000,
} as const;

/**
 * The snapshot as the route sends it: its JSON once, as UTF-8 bytes, and an ETag naming exactly
 * those bytes. The JSON is exactly `JSON.stringify(snapshot)`, written a tile at a time in slices
 * (lib/server/time-slices.ts): at 10,000 tunnels it is 4.6 MB, tens of milliseconds of the
 * console's thread in one piece, every refresh. Each piece is encoded once, as it is written, and
 * the same bytes are hashed and sent. Joined as a string, the body was copied once more (twice
 * over when a piece held a character past Latin-1, such as a cut message's "…": a two-byte
 * string), and the hash and every response encoded it to UTF-8 again: the join was 10 % of what
 * a console allocated at 10,000 tunnels (bench/scale.ts with BENCH_ALLOCATION_DIR,
 * docs/benchmarks.md).
 */
export async function serveNocSnapshot(snapshot: NocSnapshot, slices: SliceOptions = {}): Promise<ServedNocSnapshot> {
  // The body's pieces in order, field by field in the snapshot's own order (the order
  // JSON.stringify writes), the tiles one by one where they stand: nothing here depends on how
  // noc.ts orders its return.
  const pieces: Buffer[] = [Buffer.from("{")];
  for (const [key, value] of Object.entries(snapshot)) {
    const separator = pieces.length > 1 ? "," : "";
    if (key === "tiles") {
      pieces.push(Buffer.from(`${separator}"tiles":[`));
      let first = true;
      await forEachInSlices(
        snapshot.tiles,
        (tile) => {
          pieces.push(Buffer.from(first ? JSON.stringify(tile) : `,${JSON.stringify(tile)}`));
          first = false;
        },
        slices,
      );
      pieces.push(Buffer.from("]"));
      continue;
    }
    // As JSON.stringify does: a field whose value has no JSON (undefined) is left out.
    const json: string | undefined = JSON.stringify(value);
    if (json !== undefined) pieces.push(Buffer.from(`${separator}${JSON.stringify(key)}:${json}`));
  }
  pieces.push(Buffer.from("}"));
  // The ETag's hash too, piece by piece in slices: the same bytes as the body's, but the 4.6 MB
  // of a 10,000-tunnel snapshot hashed in one piece held the thread for tens of milliseconds,
  // hundreds under load (a CPU profile of the fleet-scale run, docs/benchmarks.md).
  const hash = createHash("sha256");
  await forEachInSlices(pieces, (piece) => hash.update(piece), slices);
  const body = Buffer.concat(pieces);
  return { snapshot, body, etag: `"${hash.digest("base64url").slice(0, 27)}"` };
}

/** A kept snapshot for `db`, reading with `options.read` (tests inject clock, timer and reads). */
export function nocSnapshotCache(
  db: Database,
  options: Partial<Omit<RefreshingValueOptions<ServedNocSnapshot>, "read">> & { read?: (at: Date) => Promise<NocSnapshot>; slices?: SliceOptions } = {},
): RefreshingValue<ServedNocSnapshot> {
  const { slices = {}, ...rest } = options;
  const read = options.read ?? ((at: Date) => getNocSnapshot(db, at, slices));
  return new RefreshingValue<ServedNocSnapshot>({
    ...NOC_CACHE,
    now: () => Date.now(),
    schedule: (run, delayMs) => {
      const timer = setTimeout(run, delayMs);
      // A timer of its own must not keep a process alive that is otherwise done.
      timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
    onRefreshError: (error, held) =>
      console.error(`[noc] snapshot refresh failed; serving the one read at ${held ? new Date(held.readAt).toISOString() : "(none)"} until it is ${NOC_CACHE.maxAgeMs / 1000} s old:`, error),
    ...rest,
    read: async (at) => serveNocSnapshot(await read(at), slices),
  });
}

// One per database handle in the process: the route handler and the page are separate module
// instances in Next's bundles, and must share it (lib/server/process-slot.ts).
const caches = processSlot<WeakMap<Database, RefreshingValue<ServedNocSnapshot>>>("noc-snapshot-cache");

/** The snapshot to serve now, from this process's kept copy (read first if there is none young enough). */
export async function readNocSnapshot(db: Database): Promise<ServedNocSnapshot> {
  const byDb = caches.getOrCreate(() => new WeakMap());
  let cache = byDb.get(db);
  if (!cache) {
    cache = nocSnapshotCache(db);
    byDb.set(db, cache);
  }
  return (await cache.get()).value;
}

/** Whether readNocSnapshot(db) would answer from this process's kept copy at once, without a read. */
export function nocSnapshotKept(db: Database): boolean {
  return caches.get()?.get(db)?.servesAtOnce() ?? false;
}

/**
 * Stops the kept snapshot's refreshing for `db` and drops it (a handle about to close: a
 * benchmark, a test, shutdown). Resolves once its read in flight has settled: a read issues its
 * statements between slices, and one issued after the handle closed would fail.
 */
export async function forgetNocSnapshot(db: Database): Promise<void> {
  const byDb = caches.get();
  const cache = byDb?.get(db);
  byDb?.delete(db);
  await cache?.stop();
}

/**
 * GET /api/v1/noc's answer: the kept JSON, or 304 when the caller already holds it. `private,
 * no-cache`: the browser may keep it but asks every time (with If-None-Match), and no shared
 * cache keeps an answer that needed a sign-in. `Age` (RFC 9111 §5.1, whole seconds): how old the
 * kept snapshot is now, which the wall adds to its telemetry age (lib/noc/staleness.ts); on a
 * 304 too, as the browser hands the wall its stored answer with the 304's headers.
 */
export function nocSnapshotResponse(request: Request, served: ServedNocSnapshot, now: number = Date.now()): Response {
  const ageSeconds = Math.floor(Math.max(0, now - Date.parse(served.snapshot.generatedAt)) / 1000);
  const headers = { etag: served.etag, "cache-control": "private, no-cache", age: String(ageSeconds) };
  if (matchesEtag(request.headers.get("if-none-match"), served.etag)) return new Response(null, { status: 304, headers });
  return new Response(served.body, { headers: { ...headers, "content-type": "application/json" } });
}

/** If-None-Match's weak comparison (RFC 9110 §13.1.2): any listed tag, W/ or not, or "*". */
function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  const plain = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === plain;
  });
}
