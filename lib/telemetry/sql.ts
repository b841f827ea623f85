/**
 * Small pieces shared by the telemetry queries that drizzle's builder cannot express (INSERT …
 * SELECT … ON CONFLICT, date_bin, lateral joins over arrays). Raw statements send times as ISO
 * text and read them back as epoch milliseconds: both databases are reached through `pg` now,
 * but a float8 parses far faster than a timestamp, and reads of thousands of rows feel it.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";

/** Both drivers answer a raw statement with `{ rows }`; drizzle's generic type does not say so. */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A time as a statement parameter. */
export const timeParam = (time: Date): SQL => sql`${time.toISOString()}::timestamptz`;

/** A timestamptz expression read back as epoch milliseconds (a float8, a number in both drivers). */
export const epochMs = (expression: SQL): SQL => sql`(extract(epoch from ${expression}) * 1000)::float8`;

/**
 * Where buckets are counted from: midnight UTC, so minute and hour buckets do not depend on the
 * session's time zone (date_trunc would, for zones with half-hour offsets).
 */
export const BUCKET_ORIGIN = sql`timestamptz '2000-01-01 00:00:00+00'`;

/** An interval parameter of whole seconds. */
export const secondsInterval = (ms: number): SQL => sql`${`${Math.round(ms / 1000)} seconds`}::interval`;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
export const floorToMinute = (time: Date): Date => new Date(Math.floor(time.getTime() / MINUTE_MS) * MINUTE_MS);
export const floorToHour = (time: Date): Date => new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
