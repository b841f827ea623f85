import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createPostgresDatabase, postgresAvailable } from "@/tests/support/databases";
import { openDatabase } from "./client";
import { auditEvents, privateClouds } from "./schema";

const tempDirs: string[] = [];
function tempDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-durability-"));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const cloud = (name: string) => ({
  azureResourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/${name}`,
  subscriptionId: "s",
  resourceGroup: "rg",
  name,
  region: "westeurope",
  networkBlock: "10.0.0.0/22",
});

describe("PGlite data folder", () => {
  it("keeps every row across a clean restart", async () => {
    const dataDir = tempDataDir();
    const first = await openDatabase({ kind: "pglite", dataDir });
    await first.db.insert(privateClouds).values([cloud("pc-a"), cloud("pc-b")]);
    await first.close();

    const second = await openDatabase({ kind: "pglite", dataDir });
    const rows = await second.db.select({ name: privateClouds.name }).from(privateClouds).orderBy(privateClouds.name);
    await second.close();
    expect(rows.map((r) => r.name)).toEqual(["pc-a", "pc-b"]);
  });

  it("refuses a second process's handle on a folder in use, naming the holder", async () => {
    const dataDir = tempDataDir();
    const writer = startWriter(dataDir);
    try {
      await waitForLine(writer.stdout, (line) => line === "ready");
      await expect(openDatabase({ kind: "pglite", dataDir })).rejects.toThrow(/in use by process \d+/);
    } finally {
      writer.kill("SIGKILL");
    }
  });

  it("loses no committed row when the process is killed with SIGKILL during writes", async () => {
    const dataDir = tempDataDir();
    const writer = startWriter(dataDir);
    const committed: number[] = [];
    const exited = new Promise((resolve) => writer.on("exit", resolve));
    await waitForLine(writer.stdout, (line) => {
      const match = /^committed (\d+)$/.exec(line);
      if (match) committed.push(Number(match[1]));
      return committed.length >= 300;
    });
    writer.kill("SIGKILL");
    await exited;

    const reopened = await openDatabase({ kind: "pglite", dataDir });
    const found = await reopened.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(inArray(auditEvents.id, committed));
    const total = await reopened.db.$count(auditEvents, eq(auditEvents.actor, "durability-test"));
    await reopened.close();
    expect(found).toHaveLength(committed.length);
    expect(total).toBeGreaterThanOrEqual(committed.length);
  }, 120_000);
});

describe.skipIf(!postgresAvailable())("PostgreSQL database", () => {
  it("keeps every row when the app reconnects, and migrating twice at once is safe", async () => {
    const database = await createPostgresDatabase();
    try {
      // Two instances starting together: the advisory lock lets one migrate, the other wait.
      const [a, b] = await Promise.all([
        openDatabase({ kind: "postgres", url: database.url }),
        openDatabase({ kind: "postgres", url: database.url }),
      ]);
      await a.db.insert(privateClouds).values(cloud("pc-pg"));
      await Promise.all([a.close(), b.close()]);

      const again = await openDatabase({ kind: "postgres", url: database.url });
      const rows = await again.db.select({ name: privateClouds.name }).from(privateClouds);
      await again.close();
      expect(rows).toEqual([{ name: "pc-pg" }]);
    } finally {
      await database.drop();
    }
  });
});

/** One node process (no npx or tsx wrapper in between), so SIGKILL hits the writer itself. */
function startWriter(dataDir: string) {
  return spawn(process.execPath, ["--require", "./scripts/server-only.cjs", "--import", "tsx", "tests/fixtures/durable-writer.mts", dataDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
}

function waitForLine(stream: NodeJS.ReadableStream, done: (line: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (done(line)) {
          stream.off("data", onData);
          resolve();
          return;
        }
      }
    };
    stream.on("data", onData);
    stream.on("end", () => reject(new Error("the writer exited before it was done")));
  });
}
