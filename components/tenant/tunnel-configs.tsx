import { StatusBadge } from "@/components/status-badge";
import { RowActionButton } from "@/components/forms/row-action-button";
import { removeTunnel } from "@/lib/actions/tunnels/remove-tunnel";
import { TUNNEL_STATUS, type TunnelStatus } from "@/lib/domain/status";
import type { TunnelDownloads } from "@/lib/queries/gateway-files";
import { AddTunnelForm } from "./add-tunnel-form";

const SIDE = { source: "Source gateway", avs: "AVS edge bridge" } as const;

/** Each tunnel's two ends and its configs: the bundle, or one file at a time. */
export function TunnelConfigs({
  tenantId,
  tunnels,
  canManage,
  defaultSourceIp,
  ipsec,
  unextended = false,
}: {
  tenantId: string;
  /** The tenant's transport is an IPsec VPN: the form offers the IPsec suites. */
  ipsec: boolean;
  tunnels: TunnelDownloads[];
  canManage: boolean;
  defaultSourceIp: string;
  /** The stretch is over: no tunnel comes back (its teardown files are in the stretch section). */
  unextended?: boolean;
}) {
  return (
    <section aria-labelledby="tunnels-heading" className="mt-8 space-y-4">
      <h2 id="tunnels-heading" className="text-lg font-semibold">
        Tunnels and gateway configs
      </h2>
      {tunnels.length === 0 &&
        (unextended ? (
          <p className="text-sm text-slate-600">No tunnels: the stretch was unextended and its segment is routed in AVS.</p>
        ) : (
          <p className="text-sm text-slate-600">No tunnel yet. {canManage ? "Add the primary tunnel below." : "Your operator adds it."}</p>
        ))}
      {tunnels.map((tunnel) => (
        <article key={tunnel.id} aria-label={`Tunnel ${tunnel.name}`} className="rounded-lg border border-slate-200 bg-white p-4">
          <div className="flex flex-wrap items-center gap-3">
            <h3 className="font-semibold">
              {tunnel.name} <span className="font-normal text-slate-500">#{tunnel.ordinal}</span>
            </h3>
            <StatusBadge status={TUNNEL_STATUS[tunnel.status as TunnelStatus]} />
            {tunnel.targets && (
              <a href={`/api/v1/tunnels/${tunnel.id}/bundle`} download className="ml-auto rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">
                Download all configs (zip)
              </a>
            )}
            {canManage && (
              <RowActionButton
                action={removeTunnel}
                id={tunnel.id}
                label="Remove tunnel"
                confirm={`Remove tunnel ${tunnel.name}? Its agents' tokens stop working and its telemetry is deleted.`}
              />
            )}
          </div>
          <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
            {tunnel.ends.map((end) => (
              <div key={end.side}>
                <dt className="inline text-slate-500">{SIDE[end.side]}: </dt>
                <dd className="inline font-mono">
                  {end.hostname} {end.underlayIp}
                </dd>
              </div>
            ))}
          </dl>
          {tunnel.unavailable && <p className="mt-2 text-sm text-amber-800">{tunnel.unavailable}</p>}
          {tunnel.targets && (
            <details className="mt-3">
              <summary className="cursor-pointer text-sm text-sky-800">Single files</summary>
              <ul className="mt-2 space-y-2 text-sm">
                {tunnel.targets.map((target) => (
                  <li key={target.id}>
                    <span className="font-medium">{target.label}</span>
                    {target.error ? (
                      <span className="text-amber-800"> — not generated: {target.error}</span>
                    ) : (
                      <ul className="ml-4 list-disc">
                        {target.files.map((file) => (
                          <li key={file}>
                            <a className="font-mono text-sky-800 underline" download href={`/api/v1/tunnels/${tunnel.id}/files?path=${encodeURIComponent(file)}`}>
                              {file}
                            </a>
                          </li>
                        ))}
                      </ul>
                    )}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </article>
      ))}
      {canManage && !unextended && tunnels.length < 2 && <AddTunnelForm tenantId={tenantId} first={tunnels.length === 0} defaultSourceIp={defaultSourceIp} ipsec={ipsec} />}
    </section>
  );
}
