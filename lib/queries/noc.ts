/**
 * Everything the NOC wall shows, in one snapshot built from a fixed handful of statements
 * whatever the number of tunnels (no query per tunnel: a wall of 1,000 refreshes every few
 * seconds).
 *
 * The wall hangs in a room anyone may walk through, so the snapshot carries no personal data:
 * tenant slugs and tunnel names (business identifiers) but no contacts, no user names, no
 * display names, no addresses. Warning messages are written by the rules for operators and may
 * quote addresses (a shared underlay next hop, a diverging path hop), so they are shortened to
 * their first sentence and every IP address and e-mail address in them is masked.
 *
 * The payload is kept small: times as ISO strings, RTTs rounded to what a small chart can show,
 * sparklines as plain arrays with null for a missing minute.
 */
import "server-only";
import { and, asc, count, eq, ne } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { tenants, tunnels, warnings } from "@/lib/db/schema";
import { pairRoleOfEnds } from "@/lib/domain/pair-role";
import { TUNNEL_STATUSES, WARNING_SEVERITIES, type TunnelPairRole, type TunnelStatus, type WarningSeverity } from "@/lib/domain/status";
import { warningKindLabel } from "@/lib/domain/warning-kinds";
import { worstSeverityFirst } from "@/lib/queries/warnings";
import { DEFAULT_THRESHOLDS } from "@/lib/telemetry/thresholds";
import { forEachInSlices, type SliceOptions } from "@/lib/server/time-slices";
import { readWallSparklines, type WallSparklines } from "./noc-sparklines";
import { readNocTileRows, tileEndIds, type NocTileRow } from "./noc-tiles";
import { type PageOptions } from "./read-in-pages";
import { readCurrentEnds, type CurrentEnd, type EndRate } from "./tunnel-throughput";

export type NocTile = {
  tunnelId: string;
  /** `tenant-slug/tunnel-name`. */
  label: string;
  status: TunnelStatus;
  statusChangedAt: string;
  /** The newest RTT across the tunnel's two ends, null when neither has reported recently. */
  rttMs: number | null;
  /** One value per minute of the last hour, oldest first; null where there was no RTT. */
  sparkline: (number | null)[];
  /** What the tunnel does in its tenant's active/standby pair (which one carries the traffic); null for a tenant with one tunnel. */
  pairRole: TunnelPairRole | null;
  /**
   * Bits per second through the tunnel now, each way, from its agents' counters (the source end's
   * own, else the AVS end's seen from the other side); null when neither end's rate is current.
   */
  throughput: { toAvsBps: number | null; fromAvsBps: number | null } | null;
};

export type NocWarning = {
  id: string;
  severity: WarningSeverity;
  kind: string;
  /** What kind of problem, in words ("Tunnel down"). */
  title: string;
  /** `tenant-slug/tunnel-name`, or the tenant slug for a tenant-wide warning. */
  label: string;
  /** The first sentence of the rule's message, addresses masked. */
  message: string;
  openedAt: string;
  acknowledged: boolean;
};

export type NocSnapshot = {
  /** The server's clock when the snapshot was read: every age on the wall is measured from it. */
  generatedAt: string;
  /** The newest sample any agent has delivered, or null if none ever has. */
  newestSampleAt: string | null;
  /** How often agents report, so the wall knows when "no telemetry" starts to matter. */
  sampleIntervalMs: number;
  counts: Record<TunnelStatus, number>;
  warningCounts: Record<WarningSeverity, number>;
  tiles: NocTile[];
  /** Open and acknowledged warnings, worst first then oldest first; at most NOC_LIMITS.warnings. */
  warnings: NocWarning[];
};

export const NOC_LIMITS = {
  /** The ticker shows the worst ones first; past this many, the counts still tell the total. */
  warnings: 100,
  sparklineMinutes: 60,
  /** A ticker line is read in passing; a longer message is cut at a word. */
  messageChars: 160,
} as const;

/** A latest RTT older than this is not "latest" any more: a stale tunnel shows no number. */
const LATEST_RTT_MAX_AGE_MS = DEFAULT_THRESHOLDS.staleAfterIntervals * DEFAULT_THRESHOLDS.sampleIntervalSeconds * 1000;

/**
 * RTT rounded to what a wall can show: hundredths below 1 ms (LAN-like links), tenths below
 * 100 ms, whole milliseconds above. Keeps 60,000 sparkline values per refresh short.
 */
export function roundRtt(ms: number | null | undefined): number | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  if (Math.abs(ms) < 1) return Math.round(ms * 100) / 100;
  if (Math.abs(ms) < 100) return Math.round(ms * 10) / 10;
  return Math.round(ms);
}

/**
 * Sparkline points are coarser still (two significant figures, whole ms from 10 ms up): a line
 * 40 px tall cannot show a tenth of a millisecond, and 60 points × 1,000 tiles is most of the
 * payload.
 */
export function roundSparklinePoint(ms: number | null | undefined): number | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  if (Math.abs(ms) < 1) return Math.round(ms * 100) / 100;
  if (Math.abs(ms) < 10) return Math.round(ms * 10) / 10;
  return Math.round(ms);
}

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?\b/g;
// Four or more hex groups, or any "::" form. Times (12:30:05) have three groups and stay.
const IPV6 = /(?:\b[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b(?:\/\d{1,3})?|(?:\b[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}\b:?)*(?:\/\d{1,3})?/gi;
const EMAIL = /[^\s@()<>,;:"']+@[^\s@()<>,;:"']+\.[a-z]{2,}/gi;
const MASK = "[address]";

const GRAPHEMES = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * What wallMessage made of each message lately. The wall's snapshot passes the same open warnings
 * (up to NOC_LIMITS.warnings) through it every refresh: five passes of regular expressions and a grapheme
 * walk each, 6 % of what a console allocated at 10,000 tunnels (docs/benchmarks.md). Bounded: past
 * the limit it starts again empty.
 */
const shownMessages = new Map<string, string>();
const SHOWN_MESSAGES_KEPT = 1_000;

/** A rule's message as the wall may show it: first sentence, addresses masked, bounded length. */
export function wallMessage(message: string): string {
  let shown = shownMessages.get(message);
  if (shown === undefined) {
    if (shownMessages.size >= SHOWN_MESSAGES_KEPT) shownMessages.clear();
    shown = maskedFirstSentence(message);
    shownMessages.set(message, shown);
  }
  return shown;
}

/** wallMessage without the memory (exported for tests/support/noc-snapshot-before.ts, the refresh as it was). */
export function maskedFirstSentence(message: string): string {
  const masked = message.replace(EMAIL, MASK).replace(IPV4, MASK).replace(IPV6, MASK).replace(/\s+/g, " ").trim();
  const first = masked.split(/(?<=[.!?])\s/)[0] ?? "";
  if (first.length <= NOC_LIMITS.messageChars) return first;
  // Cut between graphemes, at the last space past the middle if there is one: a cut inside an
  // emoji's ZWJ sequence, a flag or a letter with its accents draws another symbol, half a flag
  // or a box. The bound stays in UTF-16 units, as above.
  const room = NOC_LIMITS.messageChars - 1;
  let end = 0;
  let space = -1;
  for (const { index, segment } of GRAPHEMES.segment(first)) {
    if (index + segment.length > room) break;
    if (segment === " ") space = index;
    end = index + segment.length;
  }
  return `${first.slice(0, space > NOC_LIMITS.messageChars / 2 ? space : end)}…`;
}

/** Every tunnel of every tenant not offboarded, its latest RTT and last hour, and the open warnings. */
export async function getNocSnapshot(db: Database, now: Date, slices: SliceOptions & PageOptions = {}): Promise<NocSnapshot> {
  const live = ne(tenants.state, "offboarded");
  const activeWarning = and(ne(warnings.state, "resolved"), live);
  // A row per tunnel, its ends folded in, as the driver gives it and in pages (noc-tiles.ts): at
  // 10,000 tunnels drizzle's objects and Dates for 30,000 rows held the thread every refresh.
  const [tileRows, series, warningRows, warningCountRows, ends] = await Promise.all([
    readNocTileRows(db, { now, roleMaxAgeMs: LATEST_RTT_MAX_AGE_MS }, slices),
    readWallSparklines(db, { since: new Date(now.getTime() - NOC_LIMITS.sparklineMinutes * 60_000), now, points: NOC_LIMITS.sparklineMinutes }, slices),
    db
      .select({
        id: warnings.id,
        severity: warnings.severity,
        kind: warnings.kind,
        message: warnings.message,
        openedAt: warnings.openedAt,
        state: warnings.state,
        slug: tenants.slug,
        tunnelName: tunnels.name,
      })
      .from(warnings)
      .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
      .leftJoin(tunnels, eq(tunnels.id, warnings.tunnelId))
      .where(activeWarning)
      .orderBy(worstSeverityFirst, asc(warnings.openedAt), asc(warnings.id))
      .limit(NOC_LIMITS.warnings),
    db
      .select({ severity: warnings.severity, n: count() })
      .from(warnings)
      .innerJoin(tenants, eq(tenants.id, warnings.tenantId))
      .where(activeWarning)
      .groupBy(warnings.severity),
    // Each end's newest RTT and current rate, if recent enough to show: one read of the last 90 s
    // of samples, not a probe of every endpoint's history.
    readCurrentEnds(db, { now, maxGapMs: LATEST_RTT_MAX_AGE_MS }, slices),
  ]);
  return assembleNocSnapshot({ tileRows, series, warningRows, warningCountRows, ends }, now, slices);
}

/** What getNocSnapshot reads, row by row, for assembleNocSnapshot to put together. */
export type NocReads = {
  tileRows: readonly NocTileRow[];
  series: Pick<WallSparklines, "valuesOf">;
  warningRows: readonly { id: string; severity: WarningSeverity; kind: string; message: string; openedAt: Date; state: string; slug: string; tunnelName: string | null }[];
  warningCountRows: readonly { severity: WarningSeverity; n: number }[];
  ends: ReadonlyMap<string, CurrentEnd>;
};

/**
 * The snapshot from its reads. At 10,000 tunnels this is a few hundred milliseconds of
 * JavaScript (every tile's sparkline from its ends' minutes), so it runs in slices
 * (lib/server/time-slices.ts): in one piece it held the console's thread for all of it, every
 * refresh, while a wall watched (docs/benchmarks.md, "Fleet scale").
 */
export async function assembleNocSnapshot(reads: NocReads, now: Date, slices: SliceOptions = {}): Promise<NocSnapshot> {
  const { tileRows, series, warningRows, warningCountRows, ends } = reads;
  let newestSample = -Infinity;
  const counts = Object.fromEntries(TUNNEL_STATUSES.map((s) => [s, 0])) as Record<TunnelStatus, number>;
  const tiles: NocTile[] = [];
  await forEachInSlices(
    tileRows,
    (row) => {
      counts[row.status] += 1;
      if (row.lastSampleMs !== null && row.lastSampleMs > newestSample) newestSample = row.lastSampleMs;
      const source = row.sourceId === null ? undefined : ends.get(row.sourceId);
      const avs = row.avsId === null ? undefined : ends.get(row.avsId);
      // The line is a fresh array (valuesOf's contract): rounded where it stands, not copied.
      const sparkline = series.valuesOf(tileEndIds(row));
      for (let k = 0; k < sparkline.length; k++) sparkline[k] = roundSparklinePoint(sparkline[k]);
      tiles.push({
        tunnelId: row.tunnelId,
        label: `${row.slug}/${row.name}`,
        status: row.status,
        statusChangedAt: row.statusChangedAt,
        rttMs: meanRtt(source?.rttMs, avs?.rttMs),
        sparkline,
        pairRole: row.paired ? pairRoleOfEnds(row.sourceRole, row.avsRole) : null,
        throughput: tunnelThroughput(source?.rate ?? undefined, avs?.rate ?? undefined),
      });
    },
    slices,
  );

  const warningCounts = Object.fromEntries(WARNING_SEVERITIES.map((s) => [s, 0])) as Record<WarningSeverity, number>;
  for (const row of warningCountRows) warningCounts[row.severity] = row.n;

  return {
    generatedAt: now.toISOString(),
    newestSampleAt: Number.isFinite(newestSample) ? new Date(newestSample).toISOString() : null,
    sampleIntervalMs: DEFAULT_THRESHOLDS.sampleIntervalSeconds * 1000,
    counts,
    warningCounts,
    tiles,
    warnings: warningRows.map((row) => ({
      id: row.id,
      severity: row.severity,
      kind: row.kind,
      title: warningKindLabel(row.kind),
      label: row.tunnelName === null ? row.slug : `${row.slug}/${row.tunnelName}`,
      message: wallMessage(row.message),
      openedAt: row.openedAt.toISOString(),
      acknowledged: row.state === "acknowledged",
    })),
  };
}

const known = (rtt: number | null | undefined): rtt is number => rtt !== null && rtt !== undefined && Number.isFinite(rtt);

/**
 * The mean of a tunnel's ends' newest RTTs, if recent (both ends measure the same round trip; one
 * silent end should not blank the number).
 */
function meanRtt(source: number | null | undefined, avs: number | null | undefined): number | null {
  if (known(source)) return roundRtt(known(avs) ? (source + avs) / 2 : source);
  return known(avs) ? roundRtt(avs) : null;
}

/** The source end sends toward AVS what it counts as sent; without it, the AVS end's counters say the same from the other side. */
function tunnelThroughput(source: EndRate | undefined, avs: EndRate | undefined): NocTile["throughput"] {
  if (source && (source.txBps !== null || source.rxBps !== null)) return { toAvsBps: source.txBps, fromAvsBps: source.rxBps };
  if (avs && (avs.txBps !== null || avs.rxBps !== null)) return { toAvsBps: avs.rxBps, fromAvsBps: avs.txBps };
  return null;
}

/**
 * How long one snapshot serves every wall and browser that asks without a refresh (a third of
 * their refresh interval); the kept snapshot is refreshed this often while anyone watches
 * (lib/queries/noc-cache.ts).
 */
export const NOC_SHARE_MS = 5_000;
