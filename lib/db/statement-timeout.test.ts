/**
 * No statement of a request holds a pooled PostgreSQL connection for ever: the console's handle
 * sets statement_timeout on every connection (lib/db/client.ts, STATEMENT_TIMEOUTS), a longer
 * one for the background jobs' pool, none for migrations; a request whose statement is
 * cancelled is answered 503 with Retry-After (lib/auth/guards.ts). Small limits here, so the
 * statements cancelled are short.
 */
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { z } from "zod";

vi.mock("next/headers", async () => (await import("@/tests/support/next-request")).nextHeaders);

import { defineAction, defineRoute } from "@/lib/auth/guards";
import { isStatementCancelled, sqlState } from "@/lib/db/errors";
import { createPostgresDatabase } from "@/tests/support/databases";
import { callAction, useTestApp } from "@/tests/support/personas";
import { closeDatabase, openDatabase, type DatabaseHandle } from "./client";

const LIMITS = { requestMs: 200, backgroundMs: 60_000 };

describe.skipIf(inject("postgresUnavailable") !== null)("statement timeouts on PostgreSQL [postgres]", () => {
  let handle: DatabaseHandle;
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    url = database.url;
    drop = database.drop;
    handle = await openDatabase({ kind: "postgres", url }, { statementTimeouts: LIMITS });
  });

  afterAll(async () => {
    await handle?.close();
    await drop?.();
    // The app's own handle, opened for the server action's session (useTestApp).
    await closeDatabase();
  });

  const setting = async (db: DatabaseHandle["db"]) => ((await db.execute(sql`select current_setting('statement_timeout') as value`)) as unknown as { rows: { value: string }[] }).rows[0]!.value;

  it("cancels a request's statement past its limit with SQLSTATE 57014, and the connection serves the next one", async () => {
    const error = await handle.db.execute(sql`select pg_sleep(5)`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(sqlState(error)).toBe("57014");
    expect(isStatementCancelled(error)).toBe(true);
    expect(await setting(handle.db)).toBe("200ms");
    expect(handle.poolStats()).toMatchObject({ waiting: 0 });
  });

  it("gives the background jobs' pool its own, longer limit", async () => {
    expect(handle.background).not.toBe(handle.db);
    expect(await setting(handle.background)).toBe("1min");
    // Longer than a request may take, well within the jobs' limit.
    await expect(handle.background.execute(sql`select pg_sleep(0.5)`)).resolves.toBeDefined();
  });

  it("answers a request whose statement was cancelled with 503, Retry-After and a problem that says what happened", async () => {
    const route = defineRoute({ access: "anonymous" }, async () => {
      await handle.db.execute(sql`select pg_sleep(5)`);
      return new Response("not reached");
    });
    const response = await route(new Request("http://localhost/api/v1/anything"));
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({ status: 503, title: "Service unavailable", detail: expect.stringContaining("did not answer in time") });
  });

  it("answers a server action whose statement was cancelled with a refusal that says to try again, not a thrown error", async () => {
    // The session is checked on the app's own (embedded) database; the action's statement runs
    // on the limited PostgreSQL handle and is cancelled there.
    await useTestApp();
    let reached = false;
    const action = defineAction({ input: z.object({}), access: "fleet:write" }, async () => {
      reached = true;
      await handle.db.execute(sql`select pg_sleep(5)`);
      return { ok: true, data: undefined };
    });
    const result = await callAction(action, {}, { as: "admin" });
    expect(reached).toBe(true);
    expect(result).toEqual({ ok: false, status: 503, message: expect.stringContaining("did not answer in time") });
  });

  it("lets migrations, and the wait for another instance's, run past the request limit, then gives the connection back with it", async () => {
    const holder = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await holder.connect();
    await watcher.connect();
    try {
      // Another instance is migrating: it holds the migration lock.
      await holder.query("select pg_advisory_lock($1)", [0x6272_6964]);
      const second = openDatabase({ kind: "postgres", url: `${url}?application_name=bh-second` }, { statementTimeouts: LIMITS });
      let failed: unknown = null;
      second.catch((error: unknown) => (failed = error));
      // Wait on the server's own clock until the second instance has waited past the request limit.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await watcher.query(
          "select count(*)::int as n from pg_stat_activity where application_name = 'bh-second' and wait_event = 'advisory' and now() - query_start > interval '1 second'",
        );
        if (rows[0].n > 0) break;
        if (failed) throw failed;
        if (Date.now() > deadline) throw new Error("the second instance never waited for the migration lock");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await holder.query("select pg_advisory_unlock($1)", [0x6272_6964]);
      const opened = await second;
      try {
        expect(await setting(opened.db)).toBe("200ms");
        expect(opened.poolStats()).toMatchObject({ total: 1 });
      } finally {
        await opened.close();
      }
    } finally {
      await holder.end();
      await watcher.end();
    }
  });
});

describe("statement timeouts on PGlite", () => {
  it("has one connection for requests and jobs alike, so the handle has no second pool", async () => {
    const handle = await openDatabase({ kind: "pglite", dataDir: null }, { statementTimeouts: LIMITS });
    try {
      expect(handle.background).toBe(handle.db);
    } finally {
      await handle.close();
    }
  });
});
