/**
 * Every query the browser makes, as queryOptions factories over one key factory, so no two
 * components spell the same key or URL differently.
 */
import { queryOptions } from "@tanstack/react-query";
import type { SegmentStatus } from "@/lib/queries/segments";

export const queryKeys = {
  tenant: (slug: string) => ["tenant", slug] as const,
  segment: (slug: string) => ["tenant", slug, "segment"] as const,
};

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

const IN_MOTION = new Set(["pending", "provisioning", "deleting"]);

export const segmentQuery = (slug: string) =>
  queryOptions({
    queryKey: queryKeys.segment(slug),
    queryFn: () => getJson<SegmentStatus | null>(`/api/v1/tenants/${encodeURIComponent(slug)}/segment`),
    // Poll briskly while Azure is working on it, lazily otherwise.
    refetchInterval: (query) => (query.state.data && IN_MOTION.has(query.state.data.state) ? 2_000 : 30_000),
  });
