/**
 * The wall's tiles as the database has them: one row per tunnel of every tenant in service, its
 * two ends folded into the same row, in the driver's own rows, read in keyset pages.
 *
 * Why not drizzle's select: at 10,000 tunnels the snapshot read 10,000 tile rows and 20,000 end
 * rows every 5 s, and drizzle made an object per row and a `Date` per timestamp (three per end,
 * through Next's patched `Date`) that the snapshot turned straight back into strings or threw
 * away. That mapping and its garbage were most of the consoles' longest stalls at fleet scale
 * (docs/benchmarks.md, "Fleet scale"). Here PostgreSQL hands over what the snapshot shows:
 * the status change time already written as `Date.prototype.toISOString` writes it, the ends'
 * newest sample as epoch milliseconds, each end's pair role only if its report is recent enough to
 * believe; the driver makes one object per tunnel of strings and numbers, nothing else.
 *
 * Exactly what drizzle's rows gave (noc-tiles.test.ts compares them on both databases): drizzle
 * reads a timestamptz's text into a `Date`, which keeps whole milliseconds and drops the rest, so
 * the times here are cut to the millisecond the same way (to_char's MS and floor()), never rounded.
 */
import "server-only";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { PairEndRole, TunnelStatus } from "@/lib/domain/status";
import { queryRows, timeParam } from "@/lib/telemetry/sql";
import { readInPages, type PageOptions } from "./read-in-pages";

export type NocTileRow = {
  tunnelId: string;
  slug: string;
  /** The tunnel's place in its tenant (1, 2): with the slug, the order tiles stand in and the pages' key. */
  ordinal: number;
  name: string;
  status: TunnelStatus;
  /** When the status last changed, in UTC as `Date.prototype.toISOString` writes it. */
  statusChangedAt: string;
  /** Whether the tenant has another tunnel: only a pair's tunnels have a pair role. */
  paired: boolean;
  sourceId: string | null;
  avsId: string | null;
  /** Each end's stored pair role if it was reported within `roleMaxAgeMs` (else null: unknown), as storedPairReport decides. */
  sourceRole: PairEndRole | null;
  avsRole: PairEndRole | null;
  /** The newer of its ends' newest samples, epoch milliseconds (whole); null when neither end has reported. */
  lastSampleMs: number | null;
};

/**
 * Every tile row, in the wall's order (tenant slug, then tunnel ordinal: a stable order, so a tile
 * stays where the room has learnt to look for it), read `pageRows` at a time. A tunnel's row and its
 * ends come from one statement, so they always agree (as two reads they could differ by a commit).
 */
export function readNocTileRows(db: Database, options: { now: Date; roleMaxAgeMs: number }, pages: PageOptions = {}): Promise<NocTileRow[]> {
  const roleSince = timeParam(new Date(options.now.getTime() - options.roleMaxAgeMs));
  // storedPairReport: a role counts with its since and its report time, and only while the report
  // is younger than the limit. A report exactly at the limit still counts (now - at > max is stale).
  const role = (alias: "s" | "a") => {
    const end = sql.raw(alias);
    return sql`case when ${end}.pair_since is not null and ${end}.pair_reported_at >= ${roleSince} then ${end}.pair_role end`;
  };
  return readInPages<NocTileRow>((after, limit) =>
    queryRows<NocTileRow>(
      db,
      sql`
      select t.id as "tunnelId", te.slug, t.ordinal, t.name, t.status,
             to_char(t.status_changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "statusChangedAt",
             exists (select 1 from tunnels o where o.tenant_id = t.tenant_id and o.id <> t.id) as paired,
             s.id as "sourceId", a.id as "avsId",
             ${role("s")} as "sourceRole", ${role("a")} as "avsRole",
             floor(extract(epoch from greatest(s.last_sample_at, a.last_sample_at)) * 1000)::float8 as "lastSampleMs"
      from tunnels t
      join tenants te on te.id = t.tenant_id
      left join tunnel_endpoints s on s.tunnel_id = t.id and s.side = 'source'
      left join tunnel_endpoints a on a.tunnel_id = t.id and a.side = 'avs'
      where te.state <> 'offboarded' ${after ? sql`and (te.slug, t.ordinal) > (${after.slug}, ${after.ordinal})` : sql``}
      order by te.slug, t.ordinal
      limit ${limit}`,
    ),
    pages,
  );
}

/** A tile's ends' ids in the order of their ids, as the per-end rows came before (a tunnel's line sums its ends in that order). */
export function tileEndIds(row: Pick<NocTileRow, "sourceId" | "avsId">): string[] {
  const { sourceId, avsId } = row;
  if (sourceId === null) return avsId === null ? [] : [avsId];
  if (avsId === null) return [sourceId];
  return sourceId < avsId ? [sourceId, avsId] : [avsId, sourceId];
}
