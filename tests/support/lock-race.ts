/**
 * The harness of the lock-order tests (tests/command-lock-order.test.ts,
 * tests/evaluation-lock-order.test.ts, tests/ingest-lock-order.test.ts,
 * tests/tunnel-write-lock-order.test.ts, tests/notification-group-lock-order.test.ts): two
 * console instances' pools on one fresh PostgreSQL database, told apart by application_name, and
 * a race between them forced rather than waited for by chance.
 *
 * A test-only trigger pauses instance A at the first row of `table` its write reaches (the row
 * is locked by then), on an advisory lock the test holds. Instance B starts only once A waits
 * there, and the advisory lock is released only once B waits on a row lock. Two writes that lock
 * the rows they share in opposite orders then deadlock (PostgreSQL aborts one: 40P01); two that
 * lock them in one order both finish. Each test states its own scenario and what it proves.
 *
 * `control` holds the pause in a transaction; `watcher` reads pg_stat_activity outside any
 * transaction (inside one it would read a snapshot and never see the wait it is waiting for).
 */
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { createPostgresDatabase } from "./databases";

/** Advisory locks belong to one database, and each harness has a database of its own. */
const PAUSE_KEY = 4242;
const INSTANCE_A = "bh-lock-a";
const INSTANCE_B = "bh-lock-b";
const B_WAITS_ON_A_ROW = `application_name = '${INSTANCE_B}' and wait_event_type = 'Lock' and wait_event in ('transactionid', 'tuple')`;

export type Instances = { a: DatabaseHandle; b: DatabaseHandle };

export type LockRace = Instances & {
  /** Opens another pair of instances A and B; `options` is PostgreSQL's per-session `options`, e.g. planner settings. */
  openInstances(options?: string): Promise<Instances>;
  /** Runs A's write against B's with the forced interleaving; the outcomes in the order [A, B]. */
  race(writeA: () => Promise<unknown>, writeB: () => Promise<unknown>): Promise<PromiseSettledResult<unknown>[]>;
  /**
   * For a race a test orders itself: resolves once instance B waits on a row lock, or once B's
   * `write` has settled without waiting (what a write that takes no lock it must wait for does).
   */
  untilInstanceBWaitsOrEnds(write: Promise<unknown>): Promise<void>;
  /** Closes every client and instance, then drops the database. */
  close(): Promise<void>;
};

export type PauseAt = {
  /** The table whose rows A pauses at. */
  table: "tunnel_endpoints" | "tunnels" | "notification_groups";
  /** The writes that pause: deletes too where A's rows go by a cascade. */
  on: "update" | "update or delete";
};

/** A fresh database, migrated, with instances A and B open on it and the pause trigger made. */
export async function openLockRace(pause: PauseAt): Promise<LockRace> {
  const database = await createPostgresDatabase();
  const opened: DatabaseHandle[] = [];
  const control = new pg.Client({ connectionString: database.url });
  const watcher = new pg.Client({ connectionString: database.url });

  const close = async () => {
    await control.end();
    await watcher.end();
    for (const handle of opened) await handle.close();
    await database.drop();
  };

  const instanceUrl = (name: string, options: string | undefined) => {
    const url = new URL(database.url);
    url.searchParams.set("application_name", name);
    if (options) url.searchParams.set("options", options);
    return url.toString();
  };

  const openInstances = async (options?: string): Promise<Instances> => {
    // A's open migrates the database (a no-op once done); B's does not, as a second instance would not.
    const a = await openDatabase({ kind: "postgres", url: instanceUrl(INSTANCE_A, options) });
    opened.push(a);
    const b = await openDatabase({ kind: "postgres", url: instanceUrl(INSTANCE_B, options) }, { migrate: false });
    opened.push(b);
    return { a, b };
  };

  const waitFor = async (what: string, condition: string, settled: () => boolean = () => false) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await watcher.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and ${condition}`);
      if (rows[0].n > 0 || settled()) return;
      if (Date.now() > deadline) {
        const seen = await watcher.query("select application_name, state, wait_event_type, wait_event, left(query, 60) as query from pg_stat_activity where datname = current_database()");
        throw new Error(`never saw ${what}; sessions: ${JSON.stringify(seen.rows)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const race = async (writeA: () => Promise<unknown>, writeB: () => Promise<unknown>) => {
    await control.query("begin");
    await control.query("select pg_advisory_xact_lock($1)", [PAUSE_KEY]);
    try {
      const runningA = writeA();
      runningA.catch(() => undefined);
      await waitFor("instance A paused inside its write", `application_name = '${INSTANCE_A}' and wait_event_type = 'Lock' and wait_event = 'advisory'`);
      const runningB = writeB();
      runningB.catch(() => undefined);
      await waitFor("instance B waiting on a row instance A holds", B_WAITS_ON_A_ROW);
      await control.query("commit");
      return await Promise.allSettled([runningA, runningB]);
    } finally {
      await control.query("rollback").catch(() => undefined);
    }
  };

  const untilInstanceBWaitsOrEnds = async (write: Promise<unknown>) => {
    let settled = false;
    void write.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor("instance B waiting on a row lock, or finished", B_WAITS_ON_A_ROW, () => settled);
  };

  try {
    await control.connect();
    await watcher.connect();
    const { a, b } = await openInstances();
    await control.query(`
      create function bh_test_pause() returns trigger language plpgsql as $$
      begin
        if current_setting('application_name') = '${INSTANCE_A}' then perform pg_advisory_xact_lock_shared(${PAUSE_KEY}); end if;
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end $$;
      create trigger bh_test_pause before ${pause.on} on ${pause.table} for each row execute function bh_test_pause();`);
    return { a, b, openInstances, race, untilInstanceBWaitsOrEnds, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The harness for the enclosing describe block: opened before its tests, closed after them. Its
 * instances are read through the returned object from inside a test (or a later beforeAll).
 */
export function useLockRace(pause: PauseAt): Omit<LockRace, "close"> {
  let harness: LockRace | undefined;
  beforeAll(async () => {
    harness = await openLockRace(pause);
  });
  afterAll(async () => {
    await harness?.close();
  });
  const opened = () => {
    if (!harness) throw new Error("the lock race opens in beforeAll: use it from a test");
    return harness;
  };
  return {
    get a() {
      return opened().a;
    },
    get b() {
      return opened().b;
    },
    openInstances: (options) => opened().openInstances(options),
    race: (writeA, writeB) => opened().race(writeA, writeB),
    untilInstanceBWaitsOrEnds: (write) => opened().untilInstanceBWaitsOrEnds(write),
  };
}
