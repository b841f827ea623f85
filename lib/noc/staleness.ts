/**
 * When the NOC wall must say its picture is old. Two different failures look the same on a
 * screen full of green tiles, so the banner names which one it is:
 * - the wall cannot refresh (the console is unreachable, the display was signed out), so what
 *   it shows is its last good answer;
 * - the console answers, but no agent has reported for a while, so every tile is old news.
 * Pure functions; the wall passes its clock.
 */

/** "45 s", "3 min", "2 h 5 min", "3 d 4 h": short enough to read from across the room. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0 s";
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

export type StaleReason = { kind: "refresh" | "telemetry"; message: string };

export type StalenessInput = {
  /** The wall's clock, epoch ms. */
  now: number;
  /** When the last successful refresh arrived (the wall's clock), epoch ms; 0 = never. */
  lastSuccessAt: number;
  refreshIntervalMs: number;
  /** Set while refreshes are failing: what went wrong, in a few words. */
  refreshError: string | null;
  /** From the last good snapshot: the server's time and its newest sample, ISO 8601. */
  generatedAt: string | null;
  newestSampleAt: string | null;
  sampleIntervalMs: number;
  /** No tunnels, no telemetry expected: an empty fleet is not a stale one. */
  tunnelCount: number;
  /**
   * How old the snapshot already was when the server sent it (its Age header, servedAgeMs()):
   * the server keeps one and serves it up to 20 s after reading it (lib/queries/noc-cache.ts).
   */
  servedAgeMs: number;
};

/**
 * Why the wall's data is stale, if it is: the last good refresh is older than two refresh
 * intervals, and/or the newest sample was older than two agent intervals when the server
 * answered. The telemetry age is measured on the server's clock (generatedAt − newestSampleAt,
 * plus the age the snapshot had when served) plus the time since that answer arrived, so a wall
 * PC whose clock is off cannot raise or hide the banner.
 */
export function staleReasons(input: StalenessInput): StaleReason[] {
  const reasons: StaleReason[] = [];
  const sinceRefresh = input.lastSuccessAt > 0 ? input.now - input.lastSuccessAt : Infinity;
  // Before the first answer there is nothing stale to warn about until a request has failed:
  // the skeleton already says the wall is loading.
  const neverLoaded = input.lastSuccessAt <= 0;
  if (neverLoaded ? input.refreshError !== null : sinceRefresh > 2 * input.refreshIntervalMs) {
    const failing = input.refreshError ? ` (${input.refreshError})` : "";
    reasons.push({
      kind: "refresh",
      message: input.lastSuccessAt > 0 ? `Data stale: last update ${formatAge(sinceRefresh)} ago${failing}` : `No data yet${failing}`,
    });
  }
  if (input.generatedAt && input.tunnelCount > 0) {
    const generatedAt = Date.parse(input.generatedAt);
    const newest = input.newestSampleAt ? Date.parse(input.newestSampleAt) : Number.NaN;
    const carried = Math.max(0, sinceRefresh === Infinity ? 0 : sinceRefresh);
    if (Number.isNaN(newest)) {
      reasons.push({ kind: "telemetry", message: "No telemetry received from any agent yet" });
    } else {
      const age = generatedAt - newest + Math.max(0, input.servedAgeMs) + carried;
      if (age > 2 * input.sampleIntervalMs) reasons.push({ kind: "telemetry", message: `No telemetry for ${formatAge(age)}` });
    }
  }
  return reasons;
}

/**
 * An Age header (RFC 9111 §5.1: whole seconds since the server read what it sent) in ms; a
 * missing or malformed one counts as fresh, as before the server kept its snapshot.
 */
export function servedAgeMs(header: string | null): number {
  const value = header?.trim() ?? "";
  return /^\d+$/.test(value) ? Number(value) * 1000 : 0;
}

/**
 * Why a refresh failed, in words for the room. A signed-out display is told apart from a
 * console that is down, because only one of them is fixed by walking over with the link.
 */
export function describeRefreshError(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  const status = typeof error === "object" && "status" in error && typeof error.status === "number" ? error.status : null;
  if (status === 401) return "this display is signed out: open its link again";
  if (status === 403) return "this account may not view the wall";
  if (status !== null) return `the console answered ${status}`;
  const name = typeof error === "object" && "name" in error ? error.name : null;
  if (name === "TimeoutError" || name === "AbortError") return "the console did not answer in time";
  return "the console cannot be reached";
}
