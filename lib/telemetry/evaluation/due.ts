/**
 * Which tenants the warning evaluation must look at now, without reading a single sample: those
 * never evaluated, those whose endpoints stored new samples since (the sum of their
 * `samples_seq`, bumped by ingest, moved), those whose configuration changed (the fingerprint
 * below), and those whose `due_at` passed (the moment time alone can change their result, set by
 * the evaluation itself: lib/telemetry/evaluation/deadline.ts). Everything else is as it was
 * when last evaluated, so evaluating it again would write the same warnings and statuses.
 *
 * The fingerprint covers every column of the tenant, its tunnels and their endpoints that
 * the rules read (lib/telemetry/evaluation/inputs.ts builds the RuleInput from exactly these),
 * and nothing the evaluation writes itself (tunnel status), so its own writes never make a
 * tenant due again. A column the rules start reading must be added here, or changing it waits
 * for the tenant's next sample. Times and dates go in as numbers and fixed formats so that two
 * sessions with different TimeZone or DateStyle settings (two app instances) agree.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { queryRows, timeParam } from "../sql";

export type DueTenant = {
  tenantId: string;
  /** The sum of the tenant's endpoints' samples_seq when read: stored once evaluated. */
  samplesSeq: number;
  configHash: string;
};

/** Tenants the evaluation covers: the others have no live tunnels to judge. */
export const EVALUATED_TENANT_STATES = ["onboarding", "active"] as const;

function fleetFingerprints(only: SQL | undefined): SQL {
  return sql`
    select t.id as tenant_id,
      coalesce(sum(e.samples_seq), 0)::bigint as samples_seq,
      md5(concat_ws('|', t.slug, t.latency_objective_ms, t.warning_thresholds::text, t.gateway_location, t.transport, t.subnet,
        to_char(t.planned_cutover_on, 'YYYY-MM-DD'), to_char(t.stretch_started_on, 'YYYY-MM-DD'),
        string_agg(concat_ws(',', tu.id, tu.ordinal, tu.name, extract(epoch from tu.maintenance_until), e.id, e.side, e.hostname), ';'
          order by tu.ordinal, e.side))) as config_hash
    from tenants t
    left join tunnels tu on tu.tenant_id = t.id
    left join tunnel_endpoints e on e.tunnel_id = tu.id
    where t.state in ('onboarding', 'active') ${only ? sql`and ${only}` : sql``}
    group by t.id`;
}

// bigint arrives as text from pg: a sum of counters stays far below 2^53.
type Row = { tenant_id: string; samples_seq: string | number; config_hash: string };
const toDue = (row: Row): DueTenant => ({ tenantId: row.tenant_id, samplesSeq: Number(row.samples_seq), configHash: row.config_hash });

/**
 * Every tenant due at `now`, least recently evaluated first (so a round that cannot finish in
 * its slot leaves the most recently evaluated for later, and none waits forever).
 */
export async function findDueTenants(db: Database, now: Date): Promise<DueTenant[]> {
  const rows = await queryRows<Row>(
    db,
    sql`
      with fleet as (${fleetFingerprints(undefined)})
      select f.tenant_id, f.samples_seq, f.config_hash
      from fleet f
      left join tenant_evaluations s on s.tenant_id = f.tenant_id
      where s.tenant_id is null or s.samples_seq <> f.samples_seq or s.config_hash <> f.config_hash or s.due_at <= ${timeParam(now)}
      order by s.evaluated_at nulls first, f.tenant_id`,
  );
  return rows.map(toDue);
}

/**
 * The current sequence sums and fingerprints of the given tenants (those still evaluated),
 * read at the start of the transaction that evaluates them: whatever arrives after this read
 * makes them due again next round, so nothing is missed between the read and the save.
 */
export async function readFingerprints(db: Database, tenantIds: readonly string[]): Promise<DueTenant[]> {
  if (tenantIds.length === 0) return [];
  const rows = await queryRows<Row>(db, fleetFingerprints(sql`t.id = any(${uuidArray(tenantIds)})`));
  return rows.map(toDue);
}

/** A uuid[] parameter, sent as one text literal (no parameter per id). */
export function uuidArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}
