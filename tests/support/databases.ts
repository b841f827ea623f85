/**
 * Runs a suite once against embedded PGlite and once against the harness's PostgreSQL, each
 * with a fresh, migrated database, through the app's own client module.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";

export type DatabaseKind = DatabaseTarget["kind"];

/** Creates an empty PostgreSQL database on the harness server and returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject("postgresUrl");
  if (!adminUrl) throw new Error("no PostgreSQL test server");
  const name = `bh_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export function postgresAvailable(): boolean {
  return inject("postgresUrl") !== null;
}

export function describeEachDatabase(name: string, suite: (ctx: { handle: () => DatabaseHandle; kind: DatabaseKind }) => void) {
  describe(`${name} [pglite]`, () => {
    let handle: DatabaseHandle;
    beforeAll(async () => {
      handle = await openDatabase({ kind: "pglite", dataDir: null });
    });
    afterAll(async () => handle?.close());
    suite({ handle: () => handle, kind: "pglite" });
  });

  const unavailable = inject("postgresUnavailable");
  describe.skipIf(unavailable !== null)(`${name} [postgres]`, () => {
    let handle: DatabaseHandle;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const database = await createPostgresDatabase();
      drop = database.drop;
      handle = await openDatabase({ kind: "postgres", url: database.url });
    });
    afterAll(async () => {
      await handle?.close();
      await drop?.();
    });
    suite({ handle: () => handle, kind: "postgres" });
  });
}
