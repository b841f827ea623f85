"use client";

import { addTunnel } from "@/lib/actions/tunnels/add-tunnel";
import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { SOURCE_PLATFORMS } from "@/lib/domain/tenant-options";
import { DEFAULT_IPSEC_SUITE, IPSEC_SUITES } from "@/lib/gateway/ipsec-suites";

const ENDS = [
  { side: "source", title: "Source-site gateway", host: "contoso-gw1", nics: ["eth0", "eth1"], tagged: true },
  { side: "avs", title: "AVS edge bridge (the Linux VM on the tenant's segment)", host: "contoso-bridge1", nics: ["eth0", "eth1"], tagged: false },
] as const;

/** Adds the primary or the redundant tunnel; both ends' agent tokens are issued with it. */
export function AddTunnelForm({ tenantId, first, defaultSourceIp, ipsec }: { tenantId: string; first: boolean; defaultSourceIp: string; ipsec: boolean }) {
  const { result, onSubmit, pending, errors } = useFormAction(addTunnel);
  const error = (field: string) => errors?.[field];
  return (
    <form onSubmit={onSubmit} aria-label="Add a tunnel" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="font-semibold">{first ? "Add the primary tunnel" : "Add the redundant tunnel"}</h3>
      <input type="hidden" name="tenantId" value={tenantId} />
      <Field id="name" label="Tunnel name" errors={error("name")}>
        {(props) => <input {...props} className={inputClass} defaultValue={first ? "primary" : "secondary"} required />}
      </Field>
      {ipsec && (
        <Field id="ipsecSuite" label="IPsec suite (both ends, every platform's files)" errors={error("ipsecSuite")}>
          {(props) => (
            <select {...props} className={inputClass} defaultValue={DEFAULT_IPSEC_SUITE}>
              {Object.entries(IPSEC_SUITES).map(([value, suite]) => (
                <option key={value} value={value}>
                  {suite.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <div className="grid gap-4 md:grid-cols-2">
        {ENDS.map((end) => (
          <fieldset key={end.side} className="space-y-3 rounded-md border border-slate-200 p-3">
            <legend className="px-1 text-sm font-medium">{end.title}</legend>
            {end.side === "source" && (
              <Field id="sourcePlatform" label="Platform (its files must be complete; empty: any one will do)" errors={error("sourcePlatform")}>
                {(props) => (
                  <select {...props} className={inputClass} defaultValue="">
                    <option value="">Not said</option>
                    {Object.entries(SOURCE_PLATFORMS).map(([value, label]) => (
                      <option key={value} value={value}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            <Field id={`${end.side}.hostname`} label="Host name" errors={error(`${end.side}.hostname`)}>
              {(props) => <input {...props} className={inputClass} placeholder={end.host} required />}
            </Field>
            <Field id={`${end.side}.underlayIp`} label="Underlay address" errors={error(`${end.side}.underlayIp`)}>
              {(props) => <input {...props} className={inputClass} defaultValue={end.side === "source" ? defaultSourceIp : ""} required />}
            </Field>
            <Field id={`${end.side}.underlayInterface`} label="Underlay NIC (empty: platform default)" errors={error(`${end.side}.underlayInterface`)}>
              {(props) => <input {...props} className={inputClass} placeholder={end.nics[0]} />}
            </Field>
            <Field id={`${end.side}.lanInterface`} label="Tenant-side NIC (empty: platform default)" errors={error(`${end.side}.lanInterface`)}>
              {(props) => <input {...props} className={inputClass} placeholder={end.nics[1]} />}
            </Field>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name={`${end.side}.lanTagged`} defaultChecked={end.tagged} />
              The tenant VLAN arrives tagged (a trunk)
            </label>
          </fieldset>
        ))}
      </div>
      <div className="flex items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Adding…" : "Add tunnel"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
