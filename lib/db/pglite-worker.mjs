/**
 * The embedded database's thread: PGlite (PostgreSQL compiled to WASM) runs here, off the
 * console's event loop, and answers the PostgreSQL wire protocol on a Unix socket through
 * @electric-sql/pglite-socket. The console reaches it with the same `pg` driver it uses for a
 * real PostgreSQL server (lib/db/client.ts), so a slow query waits in this thread while the
 * console keeps answering requests.
 *
 * Plain JavaScript so that every runner can start it as it is: the console under tsx, Vitest's
 * workers and the benchmarks, without a TypeScript loader in the thread.
 *
 * workerData: { dataDir: string | null, socketPath: string }. Messages to the parent:
 * { ready: true } once it listens, { error: string } if it could not start, { closed: true }
 * after "close" has flushed and closed the database.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

if (!parentPort) throw new Error("pglite-worker.mjs runs as a worker thread (lib/db/pglite-server.ts starts it).");
const parent = parentPort;

/** @type {PGlite | undefined} */
let db;
/** @type {PGLiteSocketServer | undefined} */
let server;
try {
  db = await PGlite.create(workerData.dataDir ?? undefined);
  // The console keeps ONE client (lib/db/client.ts): PGlite is one backend session, and two
  // clients talking at once would have their extended-protocol messages (Parse/Bind/Execute)
  // interleaved in it by the socket server's multiplexer. A few slots all the same, because
  // `pg`'s pool drops its client after a failed statement and connects a new one at once,
  // before this side has finished closing the old socket.
  server = new PGLiteSocketServer({ db, path: workerData.socketPath, maxConnections: 4 });
  await server.start();
  parent.postMessage({ ready: true });
} catch (error) {
  await db?.close().catch(() => {});
  parent.postMessage({ error: error instanceof Error ? error.message : String(error) });
  parent.close();
}

parent.on("message", async (message) => {
  if (message !== "close" || !db || !server) return;
  try {
    await server.stop();
    await db.close();
    parent.postMessage({ closed: true });
  } catch (error) {
    parent.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
  parent.close();
});
