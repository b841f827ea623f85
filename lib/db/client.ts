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
  db: Database;
  kind: DatabaseTarget["kind"];
  close(): Promise<void>;
  /** PostgreSQL's connection pool right now (for /metrics); null for PGlite, which has one connection and no pool. */
  poolStats(): { total: number; idle: number; waiting: number } | null;
};

export const migrationsFolder = path.join(process.cwd(), "lib", "db", "migrations");

/** Any number that is ours alone: serialises migrations when several instances start at once. */
const MIGRATION_LOCK_KEY = 0x6272_6964; // "brid"

export async function openDatabase(
  target: DatabaseTarget,
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const handle = target.kind === "pglite" ? await openPglite(target.dataDir) : openPostgres(target.url);
  if (options.migrate ?? true) {
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return { db: handle.db, kind: handle.kind, close: handle.close, poolStats: handle.poolStats };
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
  const handle = poolHandle("pglite", pool);
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

function openPostgres(url: string) {
  // The timeout also bounds the wait for a free pooled client: a burst (200 onboardings taking
  // turns under one cloud's lock) queues for seconds on a busy machine, so 15 s rather than 5.
  // An unreachable server still fails at once (connection refused).
  return poolHandle("postgres", new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 15_000 }));
}

function poolHandle(kind: DatabaseTarget["kind"], pool: pg.Pool) {
  // An idle client that loses its server emits 'error' on the pool; without a listener that
  // would crash the process instead of failing the next query.
  pool.on("error", (error) => console.error(`[db] idle ${kind === "pglite" ? "embedded database" : "PostgreSQL"} client failed:`, error.message));
  const db = drizzlePostgres({ client: pool, schema });
  let closing: Promise<void> | undefined;
  return {
    kind,
    db: db as unknown as Database,
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        try {
          await migratePostgres(drizzlePostgres({ client, schema }), { migrationsFolder });
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    close: () => (closing ??= pool.end()),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
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
    const opening = openDatabase(readConfig().database);
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
