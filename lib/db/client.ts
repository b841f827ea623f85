/**
 * The one place a database client is created. Everything else asks `getDatabase()` (the app's
 * shared handle) or, in tests and benchmarks, `openDatabase()` for a handle of its own.
 *
 * PGlite (PostgreSQL compiled to WASM) is the embedded default; `DATABASE_URL` switches to a
 * real PostgreSQL server. Both run the same schema, the same migrations and the same queries,
 * through one driver: PGlite runs in a worker thread of its own and answers the PostgreSQL wire
 * protocol on a Unix socket (lib/db/pglite-server.ts), so the console talks to it with `pg`
 * exactly as to PostgreSQL, and a long statement in the embedded database no longer holds the
 * console's event loop (docs/decisions.md, "The embedded database in a thread of its own").
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import pg from "pg";
import { readConfig, type DatabaseTarget } from "@/lib/config";
import { processSlot } from "@/lib/server/process-slot";
import { startPgliteServer } from "./pglite-server";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseHandle = {
  /** For requests: on PostgreSQL its statements are cancelled past `statementTimeouts.requestMs`. */
  db: Database;
  /**
   * For the background jobs (roll-ups, retention, evaluation, notifications, Azure sync): a pool
   * of its own on PostgreSQL when the handle has statement timeouts, with the longer limit, so a
   * job's large statement is not cut at a request's limit and the jobs do not take the requests'
   * pooled connections. Otherwise (PGlite's one connection; a handle without limits) it is `db`.
   */
  background: Database;
  kind: DatabaseTarget["kind"];
  close(): Promise<void>;
  /** The requests' connection pool right now (for /metrics); on PGlite, its one connection. */
  poolStats(): PoolStats | null;
  /** The background jobs' own pool right now (for /metrics); null where they share the requests' (`background` is `db`). */
  backgroundPoolStats(): PoolStats | null;
};

export type PoolStats = { total: number; idle: number; waiting: number };

export const migrationsFolder = path.join(process.cwd(), "lib", "db", "migrations");

/**
 * How long one statement may run on PostgreSQL before the server cancels it (SQLSTATE 57014,
 * answered 503 by the route guards), so no statement holds a pooled connection for ever.
 * - Requests: 30 s. Past it the caller has gone (an agent's post times out after 10 s and is
 *   re-sent from its spool; a person has reloaded), and the connection is worth more to the
 *   next request. The slowest request statement measured at 10,000 tunnels under the mixed load
 *   on an overloaded machine was the wall's snapshot, about 9 s at p90 (docs/benchmarks.md).
 * - Background jobs: 10 minutes. They work in chunks (a roll-up chunk of up to 500,000 samples)
 *   whose statements take seconds; a limit still ends one that hangs (a lock never released, a
 *   plan gone wrong) so the job's next round can run.
 * - Migrations: none. One that stops half-way on a timeout leaves the console unable to start;
 *   it runs in a transaction under the migration lock, and the instances waiting for that lock
 *   wait without limit too.
 * PGlite has no timeout: it runs statement_timeout's setting but never fires it (no timer
 * signals in WebAssembly), and its one connection cannot be cancelled from outside. A runaway
 * statement there holds the console's database until it ends (docs/decisions.md).
 */
export type StatementTimeouts = { requestMs: number; backgroundMs: number };
export const STATEMENT_TIMEOUTS: StatementTimeouts = { requestMs: 30_000, backgroundMs: 600_000 };

/** Any number that is ours alone: serialises migrations when several instances start at once. */
const MIGRATION_LOCK_KEY = 0x6272_6964; // "brid"

/**
 * A handle of one's own. `statementTimeouts` is for the console's shared handle (getDatabase)
 * and tests of it; without it nothing is cancelled, as tests and benchmarks run the background
 * jobs in-process on `db`.
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: { migrate?: boolean; statementTimeouts?: StatementTimeouts } = {},
): Promise<DatabaseHandle> {
  const handle = target.kind === "pglite" ? await openPglite(target.dataDir) : openPostgres(target.url, options.statementTimeouts);
  if (options.migrate ?? true) {
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return { db: handle.db, background: handle.background, kind: handle.kind, close: handle.close, poolStats: handle.poolStats, backgroundPoolStats: handle.backgroundPoolStats };
}

async function openPglite(dataDir: string | null) {
  let releaseLock = () => {};
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    releaseLock = lockDataDir(dataDir);
  }
  let server: Awaited<ReturnType<typeof startPgliteServer>>;
  try {
    server = await startPgliteServer(dataDir);
  } catch (error) {
    releaseLock();
    throw error;
  }
  // One connection: PGlite is a single session (the socket serves one client), and a second
  // pooled client could not run anything meanwhile anyway. Kept open while idle: reconnecting
  // costs a start-up exchange for nothing.
  const pool = new pg.Pool({ host: server.socketDir, user: "postgres", database: "postgres", max: 1, idleTimeoutMillis: 0, connectionTimeoutMillis: 15_000 });
  const handle = poolHandle("pglite", pool, null);
  let closing: Promise<void> | undefined;
  return {
    ...handle,
    close: () =>
      (closing ??= handle
        .close()
        .then(() => server.close())
        .finally(releaseLock)),
  };
}

function openPostgres(url: string, timeouts: StatementTimeouts | undefined) {
  // The timeout also bounds the wait for a free pooled client: a burst (200 onboardings taking
  // turns under one cloud's lock) queues for seconds on a busy machine, so 15 s rather than 5.
  // An unreachable server still fails at once (connection refused). statement_timeout is sent
  // when each connection starts, so it is the session's default and every statement has it.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 15_000, ...(timeouts ? { statement_timeout: timeouts.requestMs } : {}) });
  // A few connections suffice: each job runs one step at a time, and the jobs are five.
  const background = timeouts ? new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 15_000, statement_timeout: timeouts.backgroundMs }) : null;
  return poolHandle("postgres", pool, background);
}

function poolHandle(kind: DatabaseTarget["kind"], pool: pg.Pool, backgroundPool: pg.Pool | null) {
  // An idle client that loses its server emits 'error' on the pool; without a listener that
  // would crash the process instead of failing the next query.
  for (const p of [pool, backgroundPool]) p?.on("error", (error) => console.error(`[db] idle ${kind === "pglite" ? "embedded database" : "PostgreSQL"} client failed:`, error.message));
  const db = drizzlePostgres({ client: pool, schema });
  const background = backgroundPool ? drizzlePostgres({ client: backgroundPool, schema }) : db;
  let closing: Promise<void> | undefined;
  return {
    kind,
    db: db as unknown as Database,
    background: background as unknown as Database,
    async migrate() {
      const client = await pool.connect();
      try {
        // No limit for migrations (see STATEMENT_TIMEOUTS), nor for the wait for another
        // instance's; `reset` gives the connection back with the limit it started with.
        await client.query("set statement_timeout = 0");
        await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        try {
          await migratePostgres(drizzlePostgres({ client, schema }), { migrationsFolder });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
        }
        await client.query("reset statement_timeout");
      } catch (error) {
        // Its session setting is unknown now: the pool closes this connection instead of lending it out.
        client.release(error as Error);
        throw error;
      }
      client.release();
    },
    close: () => (closing ??= Promise.all([pool.end(), backgroundPool?.end()]).then(() => undefined)),
    poolStats: () => statsOf(pool),
    backgroundPoolStats: () => (backgroundPool ? statsOf(backgroundPool) : null),
  };
}

function statsOf(pool: pg.Pool): PoolStats {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

/**
 * PGlite is a single-process database: two processes on one data folder would corrupt it. A
 * pid file refuses the second; one left behind by a killed process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, "bridgehead.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(lockFile, "utf8"));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The data folder ${dataDir} is in use by process ${holder}. Stop it, or set DATA_DIR to another folder.`,
        );
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// --- The app's shared handle -----------------------------------------------------------------
// The custom server and Next's bundled route handlers load this module as separate instances
// in one process; the handle lives in a process slot so both share one PGlite and one pool.

const appDatabase = processSlot<Promise<DatabaseHandle>>("database");

export function getDatabase(): Promise<DatabaseHandle> {
  return appDatabase.getOrCreate(() => {
    const opening = openDatabase(readConfig().database, { statementTimeouts: STATEMENT_TIMEOUTS });
    // A failed open (PostgreSQL not up yet) must not be remembered: the next call tries again.
    opening.catch(() => {
      if (appDatabase.get() === opening) appDatabase.set(undefined);
    });
    return opening;
  });
}

export async function closeDatabase(): Promise<void> {
  const opening = appDatabase.get();
  appDatabase.set(undefined);
  if (opening) await (await opening.catch(() => undefined))?.close();
}

/** Resolves when the database answers a trivial query; rejects with the driver's error otherwise. */
export async function pingDatabase(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(sql`select 1`);
}
