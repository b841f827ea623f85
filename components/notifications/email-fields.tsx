import { Field, inputClass } from "@/components/forms/field";
import type { ChannelSettings } from "@/lib/db/schema";
import { SMTP_SECURITY } from "@/lib/domain/notifications";

type MailSettings = Extract<ChannelSettings, { kind: "email" }>;

/**
 * An e-mail channel's fields, empty when adding one and filled with the stored settings when
 * changing it (`stored`). The password is never filled in: left empty, a change keeps the stored
 * one (the command asks for it again if the host or port moves).
 */
export function EmailFields({ errors, stored }: { errors?: Partial<Record<string, string[]>>; stored?: MailSettings & { hasPassword: boolean } }) {
  const passwordLabel = stored?.hasPassword ? "Password (empty: keep the stored one)" : "Password (stored encrypted)";
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      <Field id="host" label="SMTP host" errors={errors?.host}>
        {(props) => <input {...props} className={inputClass} placeholder="smtp.example.com" defaultValue={stored?.host} required />}
      </Field>
      <Field id="port" label="Port" errors={errors?.port}>
        {(props) => <input {...props} className={inputClass} inputMode="numeric" defaultValue={String(stored?.port ?? 587)} required />}
      </Field>
      <Field id="security" label="Security" errors={errors?.security}>
        {(props) => (
          <select {...props} className={inputClass} defaultValue={stored?.security ?? "starttls"}>
            {Object.entries(SMTP_SECURITY).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="username" label="User (optional)" errors={errors?.username}>
        {(props) => <input {...props} className={inputClass} autoComplete="off" defaultValue={stored?.username ?? ""} />}
      </Field>
      <Field id="password" label={passwordLabel} errors={errors?.password}>
        {(props) => <input {...props} type="password" className={inputClass} autoComplete="new-password" />}
      </Field>
      <Field id="from" label="From" errors={errors?.from}>
        {(props) => <input {...props} className={inputClass} placeholder="bridgehead@example.com" defaultValue={stored?.from} required />}
      </Field>
      <div className="sm:col-span-3">
        <Field id="to" label="To (comma-separated)" errors={errors?.to}>
          {(props) => <input {...props} className={inputClass} placeholder="noc@example.com, oncall@example.com" defaultValue={stored?.to.join(", ")} required />}
        </Field>
      </div>
    </div>
  );
}
