import { TunnelCharts } from "./tunnel-charts";
import { TunnelCompare } from "./tunnel-compare";
import { TunnelPaths } from "./tunnel-paths";

/**
 * Each tunnel's health, latency history and paths, one panel per tunnel. The live parts are
 * client components fed from the query cache the page hydrates, so they render with data on the
 * first paint and poll from there.
 */
export function TunnelPanels({ tunnels, tenantSlug }: { tunnels: { id: string; name: string; ordinal: number }[]; tenantSlug: string }) {
  return (
    <section aria-labelledby="health-heading" className="mt-8 space-y-4">
      <h2 id="health-heading" className="text-lg font-semibold">
        Tunnel health and latency
      </h2>
      {tunnels.length === 0 && <p className="text-sm text-slate-600">No tunnel yet: health and latency appear once one is added and its agents report.</p>}
      {tunnels.length > 1 && <TunnelCompare tunnels={tunnels} tenantSlug={tenantSlug} />}
      {tunnels.map((tunnel) => (
        <article key={tunnel.id} aria-labelledby={`tunnel-${tunnel.id}-heading`} className="space-y-6 rounded-lg border border-slate-200 bg-white p-5">
          <h3 id={`tunnel-${tunnel.id}-heading`} className="font-semibold">
            {tunnel.name} <span className="font-normal text-slate-500">#{tunnel.ordinal}</span>
          </h3>
          <TunnelCharts tunnelId={tunnel.id} tunnelName={tunnel.name} tenantSlug={tenantSlug} />
          <TunnelPaths tunnelId={tunnel.id} tunnelName={tunnel.name} />
        </article>
      ))}
    </section>
  );
}
