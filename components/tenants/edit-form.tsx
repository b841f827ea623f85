"use client";

import Link from "next/link";
import { ActionMessage } from "@/components/forms/action-message";
import { useFormAction } from "@/components/forms/use-form-action";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { editTenant } from "@/lib/actions/tenants/edit-tenant";
import type { TenantContact } from "@/lib/db/schema";
import { TRANSPORTS } from "@/lib/domain/tenant-options";

type Editable = {
  id: string;
  slug: string;
  displayName: string;
  contacts: TenantContact[];
  transport: keyof typeof TRANSPORTS;
  underlayMtu: number;
  sourceGatewayUnderlayIp: string;
  latencyObjectiveMs: number;
  plannedCutoverOn: string | null;
};

export function EditTenantForm({ tenant }: { tenant: Editable }) {
  const { result, onSubmit, pending, errors } = useFormAction(editTenant);
  const contacts = tenant.contacts.length ? tenant.contacts : [{ name: "", email: "" }];
  return (
    <form onSubmit={onSubmit} aria-label="Edit tenant" className="space-y-6">
      <input type="hidden" name="id" value={tenant.id} />
      <div className="grid gap-4 rounded-lg border border-slate-200 bg-white p-5 sm:grid-cols-2">
        <Field id="displayName" label="Name" errors={errors?.displayName}>
          {(p) => <input {...p} className={inputClass} defaultValue={tenant.displayName} />}
        </Field>
        <Field id="transport" label="Transport" errors={errors?.transport}>
          {(p) => (
            <select {...p} className={inputClass} defaultValue={tenant.transport}>
              {Object.entries(TRANSPORTS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="sourceGatewayUnderlayIp" label="Source gateway's underlay address" errors={errors?.sourceGatewayUnderlayIp}>
          {(p) => <input {...p} className={`${inputClass} font-mono`} defaultValue={tenant.sourceGatewayUnderlayIp} />}
        </Field>
        <Field id="underlayMtu" label="Underlay MTU (bytes)" errors={errors?.underlayMtu}>
          {(p) => <input {...p} type="number" className={inputClass} defaultValue={tenant.underlayMtu} />}
        </Field>
        <Field id="latencyObjectiveMs" label="Latency objective (ms)" errors={errors?.latencyObjectiveMs}>
          {(p) => <input {...p} type="number" className={inputClass} defaultValue={tenant.latencyObjectiveMs} />}
        </Field>
        <Field id="plannedCutoverOn" label="Planned cut-over date" errors={errors?.plannedCutoverOn}>
          {(p) => <input {...p} type="date" className={inputClass} defaultValue={tenant.plannedCutoverOn ?? ""} />}
        </Field>
      </div>
      <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
        <legend className="px-1 font-semibold">Contacts</legend>
        {contacts.map((contact, index) => (
          <div key={index} className="grid gap-4 sm:grid-cols-3" role="group" aria-label={`Contact ${index + 1}`}>
            <Field id={`contacts.${index}.name`} label="Name" errors={errors?.[`contacts.${index}.name`]}>
              {(p) => <input {...p} className={inputClass} defaultValue={contact.name} />}
            </Field>
            <Field id={`contacts.${index}.email`} label="E-mail" errors={errors?.[`contacts.${index}.email`]}>
              {(p) => <input {...p} type="email" className={inputClass} defaultValue={contact.email} />}
            </Field>
            <Field id={`contacts.${index}.phone`} label="Phone" errors={errors?.[`contacts.${index}.phone`]}>
              {(p) => <input {...p} type="tel" className={inputClass} defaultValue={contact.phone ?? ""} />}
            </Field>
          </div>
        ))}
      </fieldset>
      <p className="text-sm text-slate-600">
        The slug, private cloud, subnet, default gateway, encapsulation, source environment, VLAN and VNI are fixed
        at onboarding. To change them, offboard the tenant and onboard it again.
      </p>
      <div className="flex items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </button>
        <Link href={`/t/${tenant.slug}`} className="text-sm text-sky-800 underline">
          Back to the tenant
        </Link>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
