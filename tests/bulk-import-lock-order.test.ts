/**
 * Two bulk imports touching the same private clouds, their rows in opposite orders: each must
 * take the clouds' onboarding locks in one fixed order (by id), not row by row, or each holds one
 * cloud while waiting for the other's and PostgreSQL kills one of them. Proven on PostgreSQL,
 * where transactions really run side by side: another session holds the first cloud's lock; an
 * import whose first row is in the second cloud must wait for the first without having taken the
 * second (row by row it would hold the second: the very half of a deadlock).
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Principal } from "@/lib/auth/permissions";
import { bulkOnboard } from "@/lib/commands/bulk-onboard";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { privateClouds, tenants } from "@/lib/db/schema";
import { createPostgresDatabase } from "./support/databases";

const ADMIN: Principal = { kind: "user", userId: "u-admin", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };
const lockKey = (cloudId: string) => `bridgehead:onboard:${cloudId}`;

describe.skipIf(inject("postgresUnavailable") !== null)("bulk imports lock private clouds in one order [postgres]", () => {
  let handle: DatabaseHandle;
  let url: string;
  let drop: () => Promise<void>;
  let first: string;
  let second: string;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    url = database.url;
    drop = database.drop;
    handle = await openDatabase({ kind: "postgres", url });
    const made = [];
    for (const n of [1, 2]) {
      const [row] = await handle.db
        .insert(privateClouds)
        .values({
          azureResourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/lock-${n}-${randomBytes(4).toString("hex")}`,
          subscriptionId: "s",
          resourceGroup: "rg",
          name: `lock-${n}`,
          region: "westeurope",
          networkBlock: n === 1 ? "10.61.0.0/22" : "10.62.0.0/22",
          tier1Gateways: [{ id: "T1", displayName: "T1" }],
        })
        .returning({ id: privateClouds.id });
      made.push(row!.id);
    }
    [first, second] = made.sort() as [string, string];
  });

  afterAll(async () => {
    await handle?.close();
    await drop?.();
  });

  const row = (cloudId: string, n: number) => ({
    privateCloudId: cloudId,
    slug: `lock-row-${n}`,
    displayName: `Lock row ${n}`,
    contacts: [{ name: "Ada", email: "ada@example.com" }],
    sourceEnvironment: "bare-metal",
    transport: "ipsec-vpn",
    subnet: `172.29.${n}.0/24`,
    gatewayLocation: "source",
    sourceGatewayUnderlayIp: `198.51.100.${n}`,
  });

  it("waits for the first cloud before it takes the second, though its first row is in the second", async () => {
    const holder = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await holder.connect();
    await watcher.connect();
    const deadline = Date.now() + 60_000;
    try {
      await holder.query("begin");
      await holder.query("select pg_advisory_xact_lock(hashtext($1))", [lockKey(first)]);
      const running = bulkOnboard(handle.db, ADMIN, [row(second, 1), row(first, 2)], "all-or-nothing");

      // Wait on the event: a backend of this database waiting for an advisory lock.
      for (;;) {
        const waiting = await watcher.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event = 'advisory'");
        if (waiting.rows[0].n > 0) break;
        if (Date.now() > deadline) throw new Error("the import never waited for the first cloud");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The second cloud is free: the import did not take it before the first.
      await watcher.query("begin");
      const free = await watcher.query("select pg_try_advisory_xact_lock(hashtext($1)) as got", [lockKey(second)]);
      await watcher.query("rollback");
      expect(free.rows[0].got).toBe(true);

      await holder.query("commit");
      const outcome = await running;
      expect(outcome).toMatchObject({ committed: true, succeeded: 2, failed: 0 });
      expect(await handle.db.select({ slug: tenants.slug }).from(tenants).where(eq(tenants.privateCloudId, second))).toEqual([{ slug: "lock-row-1" }]);
    } finally {
      await holder.query("rollback").catch(() => undefined);
      await holder.end();
      await watcher.end();
    }
  }, 120_000);
});
