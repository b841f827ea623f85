/**
 * Starts the embedded database in a worker thread (lib/db/pglite-worker.mjs) and says where it
 * listens: a Unix socket in a private folder of the system's temp folder (0700, so no other
 * user of the machine can connect; not inside the repository, where a socket breaks the
 * Turbopack build). lib/db/client.ts connects to it with `pg`, exactly as to PostgreSQL.
 */
import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

export type PgliteServer = {
  /** The folder holding the socket: `pg`'s `host` for a Unix socket. */
  socketDir: string;
  /** Flushes and closes the database, ends the thread and removes the socket's folder. */
  close(): Promise<void>;
};

/** pg connects to `<host>/.s.PGSQL.<port>`: the default name, so `host` alone finds it. */
const SOCKET_NAME = ".s.PGSQL.5432";

export async function startPgliteServer(dataDir: string | null): Promise<PgliteServer> {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-pglite-"));
  fs.chmodSync(socketDir, 0o700);
  const script = path.join(/*turbopackIgnore: true*/ process.cwd(), "lib", "db", "pglite-worker.mjs");
  const worker = new Worker(script, { workerData: { dataDir, socketPath: path.join(socketDir, SOCKET_NAME) } });
  const removeSocketDir = () => fs.rmSync(socketDir, { recursive: true, force: true });

  try {
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: true; error?: string }) => {
        if (message.ready) resolve();
        else if (message.error) reject(new Error(`The embedded database did not start: ${message.error}`));
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`The embedded database's thread exited (${code}) before it was ready.`)));
    });
  } catch (error) {
    await worker.terminate();
    removeSocketDir();
    throw error;
  }
  worker.removeAllListeners();
  let exited = false;
  let closing: Promise<void> | undefined;
  const exit = new Promise<void>((resolve) =>
    worker.once("exit", (code) => {
      exited = true;
      resolve();
      if (!closing) console.error(`[db] the embedded database's thread stopped (exit code ${code}); queries will fail until the console restarts.`);
    }),
  );
  worker.on("error", (error) => console.error("[db] the embedded database's thread failed:", error.message));

  return {
    socketDir,
    close: () =>
      (closing ??= (async () => {
        if (!exited) {
          const closed = new Promise<void>((resolve, reject) =>
            worker.on("message", (message: { closed?: true; error?: string }) => {
              if (message.closed) resolve();
              else if (message.error) reject(new Error(`The embedded database did not close cleanly: ${message.error}`));
            }),
          );
          worker.postMessage("close");
          try {
            await Promise.race([closed, exit]);
          } finally {
            await exit;
          }
        }
        removeSocketDir();
      })()),
  };
}
