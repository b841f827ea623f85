/**
 * What the session record costs a request (issue 17): before it, a request resolved its
 * principal from the cookie's claims (one membership query); now it first reads its session
 * record. Measured three ways, on both databases, in one run:
 *
 * - claims only: resolvePrincipal, the request path before session records;
 * - record, last seen throttled: authenticateSession, which writes last seen at most once a minute;
 * - record, last seen on every request: the same read followed by an unconditional update, the
 *   design the throttle avoids.
 *
 * Requests are sequential (one browser's), 2,000 per variant after 200 to warm up, best of three
 * alternating rounds; the clock advances 50 ms a request, so the throttled variant writes once
 * every 1,200 requests, as a busy tab would.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { authenticateSession, resolvePrincipal } from "@/lib/auth/principal";
import type { SessionClaims } from "@/lib/auth/session";
import { startSession } from "@/lib/commands/sessions";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";
import { sessions, users } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";

const WARMUP = 200;
const REQUESTS = 2_000;
const STEP_MS = 50;
const ROUNDS = 3;

export type SessionFigures = { claimsOnly: number; throttled: number; everyRequest: number; writesThrottled: number };

async function measure(handle: DatabaseHandle): Promise<SessionFigures> {
  const { db } = handle;
  await seedDemoData(db, { secretsKey: new Uint8Array(32).fill(7) });
  const [user] = await db.insert(users).values({ subject: "bench-alice", signInName: "alice@contoso.example", displayName: "Alice" }).returning();
  const t0 = Date.now();
  const sessionId = await startSession(db, { kind: "user", userId: user!.id }, 8 * 3600, new Date(t0));
  const claims: SessionClaims = { kind: "user", sessionId, userId: user!.id, subject: "bench-alice", signInName: "alice@contoso.example", name: "Alice", roles: [] };
  const idleMs = 60 * 60_000;

  const time = async (run: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < WARMUP; i++) await run(i);
    const started = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS; i++) await run(i);
    return Number(process.hrtime.bigint() - started) / 1000 / REQUESTS;
  };

  let writes = 0;
  let lastSeen = t0;
  let clock = t0;
  const variants = {
    claimsOnly: () => resolvePrincipal(db, claims),
    throttled: async () => {
      const now = new Date((clock += STEP_MS));
      const principal = await authenticateSession(db, claims, { now, idleMs });
      if (!principal) throw new Error("session refused during the benchmark");
      if (now.getTime() - lastSeen >= 60_000) {
        writes++;
        lastSeen = now.getTime();
      }
    },
    everyRequest: async () => {
      const now = new Date((clock += STEP_MS));
      const principal = await authenticateSession(db, claims, { now, idleMs });
      if (!principal) throw new Error("session refused during the benchmark");
      await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
      lastSeen = now.getTime();
    },
  };
  // Rounds alternate the variants, so none has the warm caches to itself; the best round counts.
  const best = { claimsOnly: Infinity, throttled: Infinity, everyRequest: Infinity };
  let throttledWrites = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(variants) as (keyof typeof variants)[]) {
      const before = writes;
      best[name] = Math.min(best[name], await time(variants[name]));
      if (name === "throttled") throttledWrites = writes - before;
    }
  }
  const { claimsOnly, throttled, everyRequest } = best;
  writes = throttledWrites;
  return { claimsOnly, throttled, everyRequest, writesThrottled: writes };
}

export async function benchSessions(postgresUrl: string): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-sessions-"));
  const targets: [string, DatabaseTarget][] = [
    ["PGlite", { kind: "pglite", dataDir: path.join(dataDir, "pglite") }],
    ["PostgreSQL", { kind: "postgres", url: postgresUrl }],
  ];
  const rows: string[] = [];
  try {
    for (const [name, target] of targets) {
      console.log(`[bench] sessions on ${name}…`);
      const handle = await openDatabase(target);
      try {
        const f = await measure(handle);
        rows.push(
          `| ${name} | ${f.claimsOnly.toFixed(0)} | ${f.throttled.toFixed(0)} (${(f.throttled / f.claimsOnly).toFixed(2)}×) | ` +
            `${f.everyRequest.toFixed(0)} (${(f.everyRequest / f.claimsOnly).toFixed(2)}×) | ${f.writesThrottled} in ${REQUESTS + WARMUP} |`,
        );
      } finally {
        await handle.close();
      }
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}; ` +
      `${REQUESTS} sequential requests per variant after ${WARMUP} to warm up, best of ${ROUNDS} alternating rounds, the clock ${STEP_MS} ms further each request.`,
    "",
    "| µs per request | claims only (before) | session record, last seen once a minute | session record, last seen every request | last-seen writes (throttled) |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
