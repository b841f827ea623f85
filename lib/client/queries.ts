/**
 * Every query the browser makes, as queryOptions factories over one key factory, so no two
 * components spell the same key or URL differently.
 */
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { BACKGROUND_REQUEST_HEADER } from "@/lib/auth/cookie-name";
import type { FleetOverview } from "@/lib/queries/fleet";
import type { NocSnapshot } from "@/lib/queries/noc";
import { servedAgeMs } from "@/lib/noc/staleness";
import type { WallSlice } from "@/lib/noc/wall-slice";
import type { SegmentStatus } from "@/lib/queries/segments";
import type { StretchView } from "@/lib/queries/stretch";
import type { SearchResults } from "@/lib/queries/search";
import type { PathComparison, TunnelSeries } from "@/lib/queries/tunnel-telemetry";
import type { TenantWarnings } from "@/lib/queries/warnings";
import { rangeSearch, type RangeSpec } from "@/lib/charts/time-range";

export const queryKeys = {
  tenant: (slug: string) => ["tenant", slug] as const,
  segment: (slug: string) => ["tenant", slug, "segment"] as const,
  stretch: (slug: string) => ["tenant", slug, "stretch"] as const,
  nocSnapshot: () => ["noc", "snapshot"] as const,
  fleetOverview: () => ["fleet", "overview"] as const,
  tenantWarnings: (slug: string) => ["tenant", slug, "warnings"] as const,
  tunnelSeries: (tunnelId: string, range: RangeSpec) => ["tunnel", tunnelId, "series", rangeSearch(range)] as const,
  tunnelPaths: (tunnelId: string) => ["tunnel", tunnelId, "paths"] as const,
  search: (q: string) => ["search", q] as const,
};

/** A non-2xx answer, with its status so callers can tell "signed out" from "server down". */
export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered ${status}`);
    this.name = "HttpError";
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return (await getJsonResponse(url, signal)).json() as Promise<T>;
}

async function getJsonResponse(url: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(url, { headers: { accept: "application/json", [BACKGROUND_REQUEST_HEADER]: "1" }, signal });
  if (!response.ok) throw new HttpError(url, response.status);
  return response;
}

const IN_MOTION = new Set(["pending", "provisioning", "updating", "deleting"]);

export const segmentQuery = (slug: string) =>
  queryOptions({
    queryKey: queryKeys.segment(slug),
    queryFn: () => getJson<SegmentStatus | null>(`/api/v1/tenants/${encodeURIComponent(slug)}/segment`),
    // Poll briskly while Azure is working on it, lazily otherwise.
    refetchInterval: (query) => (query.state.data && IN_MOTION.has(query.state.data.state) ? 2_000 : 30_000),
  });

/** The stages that last while Azure moves the gateway: the stretch section follows them closely. */
const STRETCH_IN_MOTION = new Set(["cutting-over", "rolling-back"]);

export const stretchQuery = (slug: string) =>
  queryOptions({
    queryKey: queryKeys.stretch(slug),
    queryFn: () => getJson<StretchView | null>(`/api/v1/tenants/${encodeURIComponent(slug)}/stretch`),
    // The pre-checks follow the agents' reports (every 30 s); a step in Azure is followed closely.
    refetchInterval: (query) => (query.state.data && STRETCH_IN_MOTION.has(query.state.data.stage) ? 2_000 : 30_000),
  });

/** How often the NOC wall asks for a new snapshot. */
export const NOC_REFRESH_MS = 15_000;
/** A request that has not answered by then is given up, so one hung connection cannot stall the wall for hours. */
const NOC_REQUEST_TIMEOUT_MS = 10_000;

function withTimeout(signal: AbortSignal, ms: number): AbortSignal {
  return typeof AbortSignal.any === "function" ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : signal;
}

/**
 * The wall's snapshot and how old it already was when the server sent it (its Age header). The
 * one the page's HTML carries is cut to the wall's first page (`slice`, lib/noc/wall-slice.ts);
 * every answer of GET /api/v1/noc is whole.
 */
export type NocWallData = NocSnapshot & { servedAgeMs: number; slice?: WallSlice };

async function getNocWallData(signal: AbortSignal): Promise<NocWallData> {
  const response = await getJsonResponse("/api/v1/noc", withTimeout(signal, NOC_REQUEST_TIMEOUT_MS));
  return { ...((await response.json()) as NocSnapshot), servedAgeMs: servedAgeMs(response.headers.get("age")) };
}

export const nocSnapshotQuery = () =>
  queryOptions({
    queryKey: queryKeys.nocSnapshot(),
    queryFn: ({ signal }): Promise<NocWallData> => getNocWallData(signal),
    refetchInterval: NOC_REFRESH_MS,
    // The wall is unattended: it must keep refreshing whether or not the tab has focus.
    refetchIntervalInBackground: true,
    // A failed or slow refresh keeps the last good snapshot on screen; the wall never blanks.
    placeholderData: keepPreviousData,
    staleTime: NOC_REFRESH_MS / 3,
    // A signed-out display or a forbidden account will not get better by asking again at once;
    // anything else is retried a few times with backoff inside the refresh interval.
    retry: (failures, error) => !(error instanceof HttpError && (error.status === 401 || error.status === 403)) && failures < 3,
    retryDelay: (attempt) => Math.min(1_000 * 2 ** attempt, 8_000),
  });

/** The admin overview refreshes on its own; the last good numbers stay up while it does. */
export const fleetOverviewQuery = () =>
  queryOptions({
    queryKey: queryKeys.fleetOverview(),
    queryFn: ({ signal }) => getJson<FleetOverview>("/api/v1/fleet", signal),
    refetchInterval: 15_000,
    placeholderData: keepPreviousData,
  });

/** How often a tenant page's live views (charts, paths, warnings) ask again. */
export const TENANT_REFRESH_MS = 30_000;

/** A 404 (the tunnel was removed, access was withdrawn) or a 401 will not mend by asking again soon. */
const retryUnlessRefused = (failures: number, error: Error) =>
  !(error instanceof HttpError && (error.status === 401 || error.status === 403 || error.status === 404)) && failures < 3;

/**
 * One tunnel's health and history for a chart range. Switching range or refreshing keeps the
 * chart that is up on screen until the new one arrives, so it never flashes empty.
 */
export const tunnelSeriesQuery = (tunnelId: string, range: RangeSpec) =>
  queryOptions({
    queryKey: queryKeys.tunnelSeries(tunnelId, range),
    queryFn: ({ signal }) => getJson<TunnelSeries>(`/api/v1/tunnels/${encodeURIComponent(tunnelId)}/series?${rangeSearch(range)}`, signal),
    refetchInterval: TENANT_REFRESH_MS,
    placeholderData: keepPreviousData,
    retry: retryUnlessRefused,
  });

export const tunnelPathsQuery = (tunnelId: string) =>
  queryOptions({
    queryKey: queryKeys.tunnelPaths(tunnelId),
    queryFn: ({ signal }) => getJson<PathComparison>(`/api/v1/tunnels/${encodeURIComponent(tunnelId)}/paths`, signal),
    refetchInterval: TENANT_REFRESH_MS,
    retry: retryUnlessRefused,
  });

export const tenantWarningsQuery = (slug: string) =>
  queryOptions({
    queryKey: queryKeys.tenantWarnings(slug),
    queryFn: ({ signal }) => getJson<TenantWarnings>(`/api/v1/tenants/${encodeURIComponent(slug)}/warnings`, signal),
    refetchInterval: TENANT_REFRESH_MS,
    retry: retryUnlessRefused,
  });

/**
 * The header's search box. Sent without the background marker: someone typing is activity and
 * keeps their session alive. While they type, the last results stay up until the new ones land.
 */
export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: queryKeys.search(q),
    queryFn: async ({ signal }) => {
      const url = `/api/search?q=${encodeURIComponent(q)}`;
      const response = await fetch(url, { headers: { accept: "application/json" }, signal });
      if (!response.ok) throw new HttpError(url, response.status);
      return (await response.json()) as SearchResults;
    },
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    retry: retryUnlessRefused,
  });
