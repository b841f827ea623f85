"use client";

import { useState } from "react";
import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import type { ActionResult } from "@/lib/auth/guards";
import { CHANNEL_KIND, CHANNEL_KINDS, type ChannelKind } from "@/lib/domain/notifications";
import { EmailFields } from "./email-fields";

export type BuiltinReceivers = { webhookUrl: string; teamsUrl: string; smtpHost: string; smtpPort: number } | null;

/**
 * Adds a webhook, Teams or e-mail channel. `tenantSlug` makes it the tenant's own (the action
 * looks the tenant up again); `builtin` offers the embedded defaults' receivers as examples.
 */
export function ChannelForm({
  action,
  tenantSlug,
  builtin,
}: {
  action: (input: FormData) => Promise<ActionResult<{ channelId: string; signingSecret: string | null }>>;
  tenantSlug?: string;
  builtin: BuiltinReceivers;
}) {
  const { result, onSubmit, pending, errors } = useFormAction(action);
  const [kind, setKind] = useState<ChannelKind>("webhook");
  return (
    <form onSubmit={onSubmit} aria-label="Add a notification channel" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      {tenantSlug && <input type="hidden" name="tenantSlug" value={tenantSlug} />}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="kind" label="Kind" errors={errors?.kind}>
          {(props) => (
            <select {...props} className={inputClass} value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
              {CHANNEL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {CHANNEL_KIND[k].label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="name" label="Name" errors={errors?.name}>
          {(props) => <input {...props} className={inputClass} placeholder="On-call" required />}
        </Field>
      </div>
      <p className="text-sm text-slate-600">{CHANNEL_KIND[kind].description}.</p>
      {kind !== "email" ? (
        <Field id="url" label={kind === "teams" ? "Workflows or incoming-webhook URL" : "URL (https:)"} errors={errors?.url}>
          {(props) => <input {...props} key={kind} className={`${inputClass} font-mono`} placeholder={kind === "teams" ? "https://….logic.azure.com/workflows/…" : "https://hooks.example.com/bridgehead"} required />}
        </Field>
      ) : (
        <EmailFields errors={errors} />
      )}
      {builtin && (
        <p className="rounded bg-slate-50 px-3 py-2 text-xs text-slate-600">
          Embedded defaults: the built-in receivers take {kind === "email" ? `mail on ${builtin.smtpHost}:${builtin.smtpPort} (security: none)` : <code>{kind === "teams" ? builtin.teamsUrl : builtin.webhookUrl}</code>}.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Adding…" : "Add channel"}
        </button>
        <ActionMessage result={result} />
      </div>
      {result?.ok && result.data.signingSecret && (
        <p className="break-all rounded-md bg-slate-100 p-3 text-sm">
          Signing secret: <code aria-label="Signing secret">{result.data.signingSecret}</code>
        </p>
      )}
    </form>
  );
}
