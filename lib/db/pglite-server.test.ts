import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { startPgliteServer, type PgliteServer } from "./pglite-server";

let server: PgliteServer | undefined;
let pool: pg.Pool | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await pool?.end();
  pool = undefined;
  await server?.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

it("starts the database's thread again when it dies, on the same socket, with every committed row kept", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-pglite-restart-"));
  dirs.push(dataDir);
  const logged: string[] = [];
  server = await startPgliteServer(dataDir, { error: (message: string) => logged.push(message) });
  pool = new pg.Pool({ host: server.socketDir, user: "postgres", database: "postgres", max: 1 });
  // A dead connection is reported on the pool; the next query connects afresh.
  pool.on("error", () => {});
  await pool.query("create table kept (n integer)");
  await pool.query("insert into kept values (1), (2)");

  await server.crash();
  await server.ready();

  expect(server.restarts()).toBe(1);
  expect(logged).toEqual([expect.stringMatching(/^\[db\] the embedded database's thread stopped \(exit code 1\).*starting it again\.$/)]);
  expect(fs.existsSync(path.join(server.socketDir, ".s.PGSQL.5432"))).toBe(true);
  // The pooled client died with the thread: the first query may fail on it, after which the pool connects anew.
  await pool.query("select 1").catch(() => undefined);
  const { rows } = await pool.query<{ n: number }>("select n from kept order by n");
  expect(rows.map((r) => r.n)).toEqual([1, 2]);

  // Closing ends it for good: nothing is started again, and the socket's folder goes.
  await pool.end();
  pool = undefined;
  await server.close();
  expect(server.restarts()).toBe(1);
  expect(logged).toHaveLength(1);
  expect(fs.existsSync(server.socketDir)).toBe(false);
});

it("closes at once while it waits to try a thread that could not start again, and tries no more", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-pglite-restart-"));
  dirs.push(dataDir);
  let failedToStart: () => void = () => {};
  const startFailed = new Promise<void>((resolve) => (failedToStart = resolve));
  const logged: string[] = [];
  const logger = {
    error: (message: string) => {
      logged.push(message);
      if (message.includes("did not start again")) failedToStart();
    },
  };
  // A pause far longer than the test's timeout: close() must not wait for it.
  server = await startPgliteServer(dataDir, logger, { retryFirstMs: 3_600_000 });
  // Something the new thread cannot replace stands where its socket goes (the running thread
  // keeps listening on the socket it already has).
  const socketPath = path.join(server.socketDir, ".s.PGSQL.5432");
  fs.rmSync(socketPath);
  fs.mkdirSync(socketPath);
  fs.writeFileSync(path.join(socketPath, "in-the-way"), "");

  await server.crash();
  await startFailed;
  await server.close();

  expect(server.restarts()).toBe(0);
  expect(logged).toEqual([expect.stringContaining("thread stopped"), expect.stringContaining("trying again in 3600 s")]);
  expect(fs.existsSync(server.socketDir)).toBe(false);
});

it("starts a thread that died soon after starting at once the first time, and after a pause when it dies again", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-pglite-restart-"));
  dirs.push(dataDir);
  const logged: string[] = [];
  // The clock stands still: every death is within a minute of its thread's start.
  server = await startPgliteServer(dataDir, { error: (message: string) => logged.push(message) }, { retryFirstMs: 3_600_000, now: () => 0 });

  await server.crash();
  await server.ready();
  expect(server.restarts()).toBe(1);
  await server.crash();
  // The second death in a row waits out the pause (an hour here): close() ends it, and nothing starts.
  await server.close();

  expect(server.restarts()).toBe(1);
  expect(logged).toEqual([expect.stringMatching(/stopped \(exit code 1\); starting it again\.$/), expect.stringMatching(/starting it again in 3600 s \(it stopped 2 times in a row within a minute of starting\)\.$/)]);
  expect(fs.existsSync(server.socketDir)).toBe(false);
});
