/**
 * Starts the embedded database in a worker thread (lib/db/pglite-worker.mjs) and says where it
 * listens: a Unix socket in a private folder of the system's temp folder (0700, so no other
 * user of the machine can connect; not inside the repository, where a socket breaks the
 * Turbopack build). lib/db/client.ts connects to it with `pg`, exactly as to PostgreSQL.
 *
 * If the thread dies (a fatal error inside PGlite ends it, and with it the socket: the listening
 * socket's file goes with the thread), it is started again on the same data folder and socket,
 * as a supervisor restarts a crashed PostgreSQL: the database recovers from its write-ahead log,
 * `pg`'s pool connects afresh, and the console carries on instead of answering "database
 * unreachable" until someone restarts it. A thread that cannot start is retried with a growing
 * pause, and each death is logged with its reason.
 */
import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

export type PgliteServer = {
  /** The folder holding the socket: `pg`'s `host` for a Unix socket. */
  socketDir: string;
  /** How many times the thread was started again after it died. */
  restarts(): number;
  /** Resolves once the thread listens again after a restart (at once if it is up). */
  ready(): Promise<void>;
  /** Ends the thread abruptly, as a fatal error inside it would (tests of the restart). */
  crash(): Promise<void>;
  /** Flushes and closes the database, ends the thread and removes the socket's folder. */
  close(): Promise<void>;
};

/** pg connects to `<host>/.s.PGSQL.<port>`: the default name, so `host` alone finds it. */
const SOCKET_NAME = ".s.PGSQL.5432";
/** Pauses before starting a thread that failed to start: 1 s, doubling, at most a minute. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** A thread that ran this long before it died is started again at once. */
const STABLE_MS = 60_000;

export type PgliteServerOptions = {
  /** The first pause before starting again a thread that failed to start (tests lengthen it). */
  retryFirstMs?: number;
  /** The clock that judges whether a thread died soon after it started (tests fix it). */
  now?: () => number;
};

export async function startPgliteServer(dataDir: string | null, logger: Pick<Console, "error"> = console, options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const retryFirstMs = options.retryFirstMs ?? RETRY_FIRST_MS;
  const now = options.now ?? Date.now;
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-pglite-"));
  fs.chmodSync(socketDir, 0o700);
  const socketPath = path.join(socketDir, SOCKET_NAME);
  const removeSocketDir = () => fs.rmSync(socketDir, { recursive: true, force: true });

  let current: RunningThread;
  try {
    current = await startThread(dataDir, socketPath);
  } catch (error) {
    removeSocketDir();
    throw error;
  }

  let restarts = 0;
  let closing: Promise<void> | undefined;
  let up: Promise<void> = Promise.resolve();
  /** Ends the pause before the next attempt at once: close() must not wait out a minute's backoff. */
  let endPause = () => {};

  const pauseFor = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms).unref();
      endPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const pauseAfter = (failures: number) => Math.max(Math.min(retryFirstMs * 2 ** failures, RETRY_MAX_MS), retryFirstMs);

  /**
   * Deaths in a row of threads that had run less than a minute. The first is started again at
   * once; from the second on, a thread that dies soon after every start (a fault it meets again
   * on recovery or on the first query) waits out the same growing pause as one that cannot
   * start, instead of the console restarting PGlite back to back on a core of its own.
   */
  let quickDeaths = 0;
  let startedAt = now();

  const watch = (thread: RunningThread) => {
    void thread.exited.then(async (code) => {
      if (closing) return;
      quickDeaths = now() - startedAt < STABLE_MS ? quickDeaths + 1 : 0;
      const pause = quickDeaths >= 2 ? pauseAfter(quickDeaths - 2) : 0;
      logger.error(
        `[db] the embedded database's thread stopped (exit code ${code}${thread.lastError ? `: ${thread.lastError}` : ""}); starting it again${pause ? ` in ${pause / 1000} s (it stopped ${quickDeaths} times in a row within a minute of starting)` : ""}.`,
      );
      up = restart(pause);
      await up;
    });
  };

  const restart = async (firstPause: number) => {
    if (firstPause > 0) await pauseFor(firstPause);
    for (let failures = 0; !closing; failures++) {
      try {
        current = await startThread(dataDir, socketPath);
        startedAt = now();
        restarts += 1;
        watch(current);
        return;
      } catch (error) {
        if (closing) return;
        const pause = pauseAfter(failures);
        logger.error(`[db] the embedded database did not start again (${(error as Error).message}); trying again in ${pause / 1000} s.`);
        await pauseFor(pause);
      }
    }
  };

  watch(current);
  return {
    socketDir,
    restarts: () => restarts,
    ready: () => up,
    crash: async () => {
      const died = current.exited;
      await current.worker.terminate();
      await died;
    },
    close: () =>
      (closing ??= (async () => {
        // `closing` is set before the interrupted pause resumes (a later microtask), so the
        // restart loop sees it and stops.
        endPause();
        await up;
        await current.close();
        removeSocketDir();
      })()),
  };
}

type RunningThread = {
  worker: Worker;
  exited: Promise<number>;
  /** The last error the thread reported before it died, for the log. */
  lastError: string | null;
  close(): Promise<void>;
};

/** One thread, listening once this resolves. */
async function startThread(dataDir: string | null, socketPath: string): Promise<RunningThread> {
  // A socket file left by a thread that died is in the way of the new one's listen().
  fs.rmSync(socketPath, { force: true });
  const script = path.join(/*turbopackIgnore: true*/ process.cwd(), "lib", "db", "pglite-worker.mjs");
  const worker = new Worker(script, { workerData: { dataDir, socketPath } });
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  const thread: RunningThread = { worker, exited, lastError: null, close: async () => {} };
  worker.on("error", (error) => (thread.lastError = error.stack ?? error.message));

  try {
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: true; error?: string }) => {
        if (message.ready) resolve();
        else if (message.error) reject(new Error(`The embedded database did not start: ${message.error}`));
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      void exited.then((code) => reject(new Error(`The embedded database's thread exited (${code}) before it was ready.`)));
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  worker.removeAllListeners("message");

  let closing: Promise<void> | undefined;
  thread.close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve, reject) =>
        worker.on("message", (message: { closed?: true; error?: string }) => {
          if (message.closed) resolve();
          else if (message.error) reject(new Error(`The embedded database did not close cleanly: ${message.error}`));
        }),
      );
      worker.postMessage("close");
      try {
        await Promise.race([closed, exited]);
      } finally {
        await exited;
      }
    })());
  return thread;
}
