"use client";

import { useEffect, useState } from "react";
import { ActionMessage } from "@/components/forms/action-message";
import { buttonClass, Field, inputClass } from "@/components/forms/field";
import { useFormAction } from "@/components/forms/use-form-action";
import type { ActionResult } from "@/lib/auth/guards";
import type { ChannelSummary } from "@/lib/queries/notifications";
import { EmailFields } from "./email-fields";

/**
 * Changes a channel from its page: its name, and where it sends. The stored URL of a webhook or
 * Teams channel is never shown (it may carry a credential; a Teams URL is one), so its field
 * starts empty and an empty field keeps it. A webhook keeps its signing secret either way. The
 * page's version of the channel goes with the change: an edit made on a page loaded before
 * someone else's change is refused, not written over it.
 */
export function ChannelEditForm({ action, channel }: { action: (input: FormData) => Promise<ActionResult<{ version: string }>>; channel: ChannelSummary }) {
  const { result, onSubmit, pending, errors } = useFormAction(action);
  // The version the form was filled from, not the page's latest: the page refreshes itself every
  // few seconds (the delivery log), and taking each refresh's version would let an edit begun
  // before someone else's change write over it. Our own save moves it on.
  const [version, setVersion] = useState(channel.version);
  const saved = result?.ok ? result.data.version : null;
  useEffect(() => {
    if (saved) setVersion(saved);
  }, [saved]);
  return (
    <form id="change" onSubmit={onSubmit} aria-label="Change this channel" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="text-lg font-semibold">Change this channel</h2>
      <input type="hidden" name="id" value={channel.id} />
      <input type="hidden" name="version" value={version} />
      <input type="hidden" name="kind" value={channel.kind} />
      <Field id="name" label="Name" errors={errors?.name}>
        {(props) => <input {...props} className={`${inputClass} sm:max-w-md`} defaultValue={channel.name} required />}
      </Field>
      {channel.mail ? (
        <EmailFields errors={errors} stored={channel.mail} />
      ) : (
        <Field id="url" label={channel.kind === "teams" ? "New Workflows or incoming-webhook URL (empty: keep the stored one)" : "New URL (empty: keep the stored one)"} errors={errors?.url}>
          {(props) => <input {...props} className={`${inputClass} font-mono`} placeholder={channel.target} autoComplete="off" />}
        </Field>
      )}
      <p className="text-xs text-slate-600">
        {channel.kind === "webhook" && "The signing secret stays the same: the receiver goes on checking it. "}A changed target is checked again, as when the
        channel was added.
      </p>
      <div className="flex flex-wrap items-center gap-4">
        <button type="submit" className={buttonClass} disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </button>
        <ActionMessage result={result} />
      </div>
    </form>
  );
}
