"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { onboardTenant } from "@/lib/actions/tenants/onboard-tenant";
import { ENCAPSULATIONS, GATEWAY_LOCATIONS, SOURCE_ENVIRONMENTS, TRANSPORTS } from "@/lib/domain/tenant-options";

type Cloud = { id: string; name: string; region: string; networkBlock: string };

function Options({ choices }: { choices: Record<string, string> }) {
  return Object.entries(choices).map(([value, label]) => (
    <option key={value} value={value}>
      {label}
    </option>
  ));
}

export function OnboardForm({ clouds }: { clouds: Cloud[] }) {
  const { result, onSubmit, pending, errors } = useFormAction(onboardTenant);
  const [contactRows, setContactRows] = useState([0]);
  const [vlanMode, setVlanMode] = useState<"next" | "pick">("next");
  const router = useRouter();
  const onboardedSlug = result?.ok ? result.data.slug : null;
  // The next thing an operator does with a new tenant (watch its segment, add its tunnels)
  // happens on its page: go there. The panel below shows meanwhile, and if navigation fails.
  useEffect(() => {
    if (onboardedSlug) router.push(`/t/${onboardedSlug}?onboarded=1`);
  }, [onboardedSlug, router]);

  if (result?.ok) {
    return (
      <div role="status" className="space-y-3 rounded-lg border border-green-300 bg-green-50 p-6">
        <p className="font-medium text-green-900">{result.message}</p>
        <p className="flex gap-4">
          <Link href={`/t/${result.data.slug}`} className="text-sky-800 underline">
            Open the tenant
          </Link>
          <Link href="/admin/tenants" className="text-sky-800 underline">
            Back to the tenant list
          </Link>
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} aria-label="Onboard a tenant" className="space-y-8" noValidate>
      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 sm:grid-cols-2">
        <legend className="px-1 font-semibold">Tenant</legend>
        <Field id="displayName" label="Name" errors={errors?.displayName}>
          {(p) => <input {...p} className={inputClass} required placeholder="Contoso Manufacturing" />}
        </Field>
        <Field id="slug" label="Slug (names the segment and configs; cannot change later)" errors={errors?.slug}>
          {(p) => <input {...p} className={inputClass} required placeholder="contoso" pattern="[a-z0-9]+(-[a-z0-9]+)*" />}
        </Field>
        <Field id="privateCloudId" label="Private cloud" errors={errors?.privateCloudId}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue={clouds[0]?.id ?? ""}>
              {clouds.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.region}, {c.networkBlock})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="sourceEnvironment" label="Source environment" errors={errors?.sourceEnvironment}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue="kvm-proxmox">
              <Options choices={SOURCE_ENVIRONMENTS} />
            </select>
          )}
        </Field>
      </fieldset>

      <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
        <legend className="px-1 font-semibold">Contacts</legend>
        {errors?.contacts && <p className="text-sm text-red-700">{errors.contacts.join(" ")}</p>}
        {contactRows.map((row, index) => (
          <div key={row} className="grid gap-4 sm:grid-cols-[1fr_1fr_1fr_auto]" aria-label={`Contact ${index + 1}`} role="group">
            <Field id={`contacts.${index}.name`} label="Name" errors={errors?.[`contacts.${index}.name`]}>
              {(p) => <input {...p} className={inputClass} required />}
            </Field>
            <Field id={`contacts.${index}.email`} label="E-mail" errors={errors?.[`contacts.${index}.email`]}>
              {(p) => <input {...p} type="email" className={inputClass} required />}
            </Field>
            <Field id={`contacts.${index}.phone`} label="Phone (optional)" errors={errors?.[`contacts.${index}.phone`]}>
              {(p) => <input {...p} type="tel" className={inputClass} />}
            </Field>
            {contactRows.length > 1 && (
              <button
                type="button"
                onClick={() => setContactRows((rows) => rows.filter((r) => r !== row))}
                className="self-end rounded-md border border-slate-300 px-3 py-2 text-sm"
              >
                Remove
              </button>
            )}
          </div>
        ))}
        {contactRows.length < 5 && (
          <button
            type="button"
            onClick={() => setContactRows((rows) => [...rows, Math.max(...rows) + 1])}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          >
            Add a contact
          </button>
        )}
      </fieldset>

      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 sm:grid-cols-2">
        <legend className="px-1 font-semibold">Network</legend>
        <Field id="subnet" label="Subnet to stretch (CIDR)" errors={errors?.subnet}>
          {(p) => <input {...p} className={`${inputClass} font-mono`} required placeholder="192.168.10.0/24" />}
        </Field>
        <Field id="gatewayLocation" label="Default gateway" errors={errors?.gatewayLocation}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue="source">
              <Options choices={GATEWAY_LOCATIONS} />
            </select>
          )}
        </Field>
        <Field id="transport" label="Transport" errors={errors?.transport}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue="ipsec-vpn">
              <Options choices={TRANSPORTS} />
            </select>
          )}
        </Field>
        <Field id="encapsulation" label="Encapsulation" errors={errors?.encapsulation}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue="vxlan">
              <Options choices={ENCAPSULATIONS} />
            </select>
          )}
        </Field>
        <Field id="sourceGatewayUnderlayIp" label="Source gateway's underlay address" errors={errors?.sourceGatewayUnderlayIp}>
          {(p) => <input {...p} className={`${inputClass} font-mono`} required placeholder="198.51.100.10" />}
        </Field>
        <Field id="underlayMtu" label="Underlay MTU (bytes)" errors={errors?.underlayMtu}>
          {(p) => <input {...p} type="number" inputMode="numeric" className={inputClass} defaultValue={1500} min={1280} max={9216} />}
        </Field>
        <Field id="latencyObjectiveMs" label="Latency objective (ms)" errors={errors?.latencyObjectiveMs}>
          {(p) => <input {...p} type="number" inputMode="decimal" className={inputClass} defaultValue={20} min={1} max={1000} />}
        </Field>
        <Field id="plannedCutoverOn" label="Planned cut-over date (optional)" errors={errors?.plannedCutoverOn}>
          {(p) => <input {...p} type="date" className={inputClass} />}
        </Field>
      </fieldset>

      <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
        <legend className="px-1 font-semibold">VLAN</legend>
        <div className="flex gap-6 text-sm" role="radiogroup" aria-label="VLAN choice">
          <label className="flex items-center gap-2">
            <input type="radio" name="vlanMode" checked={vlanMode === "next"} onChange={() => setVlanMode("next")} />
            Next free VLAN in the pool
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="vlanMode" checked={vlanMode === "pick"} onChange={() => setVlanMode("pick")} />
            A VLAN I choose
          </label>
        </div>
        {vlanMode === "next" && <input type="hidden" name="vlan" value="next" />}
        <div className="grid gap-4 sm:grid-cols-2">
          {vlanMode === "pick" && (
            <Field id="vlan" label="VLAN ID" errors={errors?.vlan}>
              {(p) => <input {...p} type="number" inputMode="numeric" className={inputClass} min={1} max={4094} required />}
            </Field>
          )}
          {vlanMode === "next" && errors?.vlan && <p className="text-sm text-red-700" role="alert">{errors.vlan.join(" ")}</p>}
          <Field id="vni" label="VXLAN VNI (optional; derived from the VLAN when empty)" errors={errors?.vni}>
            {(p) => <input {...p} type="number" inputMode="numeric" className={inputClass} min={1} max={16777215} />}
          </Field>
        </div>
      </fieldset>

      <div className="flex items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Onboarding…" : "Onboard tenant"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
