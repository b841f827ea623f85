/**
 * What people type to set up notifications: channels, routing rules, silences, maintenance
 * windows, allowed hosts and scrape tokens. Where a value reaches a request the console makes
 * (a URL, an SMTP host), the target policy (lib/notifications/target-policy.ts) checks it again
 * with DNS when it is saved and when it is used.
 */
import { z } from "zod";
import { HOST_NAME } from "@/lib/domain/limits";
import { NOTIFICATION_BOUNDS, ROUTE_TIMING, SMTP_SECURITY } from "@/lib/domain/notifications";
import { keysOf } from "@/lib/domain/keys-of";
import { WARNING_SEVERITIES } from "@/lib/domain/status";
import { WARNING_KINDS } from "@/lib/domain/warning-kinds";
import ipaddr from "ipaddr.js";

const name = z
  .string()
  .trim()
  .min(1, "Give it a name, such as “On-call Teams”.")
  .max(80, "At most 80 characters.")
  .regex(/^[\p{L}\p{N} ._()#&+-]+$/u, "Use letters, digits, spaces and . _ ( ) # & + - only.");

const url = z.string().trim().min(1, "Enter the URL.").max(2000, "At most 2,000 characters.");
const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const host = z
  .string()
  .trim()
  .toLowerCase()
  .refine((h) => HOST_NAME.pattern.test(h) || ipaddr.isValid(h.replace(/^\[|\]$/g, "")), "A host name such as smtp.example.com, or an IP address.");

const email = z.string().trim().email("An e-mail address such as noc@example.com.");

const recipients = z
  .string()
  .trim()
  .min(1, "Enter at least one recipient.")
  .transform((text) => text.split(/[\s,;]+/).filter(Boolean))
  .pipe(
    z
      .array(email)
      .min(1, "Enter at least one recipient.")
      .max(NOTIFICATION_BOUNDS.emailRecipients, `At most ${NOTIFICATION_BOUNDS.emailRecipients} recipients; use a distribution list.`),
  );

const emailChannel = z.object({
  kind: z.literal("email"),
  name,
  host,
  port: z.coerce.number({ message: "A port number." }).int("A whole number.").min(1, "From 1 to 65535.").max(65535, "From 1 to 65535."),
  security: z.enum(keysOf(SMTP_SECURITY), { message: "Choose STARTTLS, TLS or none." }),
  username: optional.pipe(z.string().max(254, "At most 254 characters.").optional()),
  password: optional.pipe(z.string().max(500, "At most 500 characters.").optional()),
  from: email,
  to: recipients,
});

export const channelInput = z.discriminatedUnion("kind", [z.object({ kind: z.literal("webhook"), name, url }), z.object({ kind: z.literal("teams"), name, url }), emailChannel]);
export type ChannelInput = z.infer<typeof channelInput>;

/** A URL left empty on the channel's page keeps the stored one, which the page never shows (it may carry a credential). */
const keptUrl = optional.pipe(z.string().max(2000, "At most 2,000 characters.").optional());

/**
 * Changing a channel from its page: the whole channel as when adding it, but a webhook's or
 * Teams URL may be left empty to keep it; `version` is the channel as the page showed it, so an
 * edit made on an old page does not write over a newer change.
 */
export const channelEditInput = z
  .discriminatedUnion("kind", [z.object({ kind: z.literal("webhook"), name, url: keptUrl }), z.object({ kind: z.literal("teams"), name, url: keptUrl }), emailChannel])
  .and(z.object({ id: z.string().uuid("No such channel."), version: z.string().trim().min(1, "Reload the page: it did not say which version of the channel it showed.") }));
/** What an update may carry: a channel as when adding it, or one whose URL is kept. */
export type ChannelChange = ChannelInput | { kind: "webhook" | "teams"; name: string; url?: undefined };

export const tenantChannelInput = channelInput.and(z.object({ tenantSlug: z.string().trim().min(1) }));

const severity = z.enum(WARNING_SEVERITIES, { message: "Choose a severity." });
const kind = z.enum(keysOf(WARNING_KINDS), { message: "Not a warning kind." });
const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.boolean(), z.literal("")])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

export const routeInput = z.object({
  channelId: z.string().uuid("Choose a channel."),
  minSeverity: severity,
  kinds: z.array(kind).max(Object.keys(WARNING_KINDS).length).default([]),
  /** Operators' rules only: a tenant's slug, or empty for every tenant. */
  matchTenantSlug: optional,
  groupWaitSeconds: z.coerce
    .number({ message: "Seconds, as a number." })
    .int("Whole seconds.")
    .min(ROUTE_TIMING.groupWaitSeconds.min, "0 or more seconds.")
    .max(ROUTE_TIMING.groupWaitSeconds.max, "At most an hour (3600 s)."),
  repeatIntervalMinutes: z.coerce
    .number({ message: "Minutes, as a number." })
    .int("Whole minutes.")
    .min(ROUTE_TIMING.repeatIntervalMinutes.min, `At least ${ROUTE_TIMING.repeatIntervalMinutes.min} minutes.`)
    .max(ROUTE_TIMING.repeatIntervalMinutes.max, "At most a week (10080 minutes)."),
  sendResolved: checkbox,
});
export type RouteInput = z.infer<typeof routeInput>;
export const tenantRouteInput = routeInput.omit({ matchTenantSlug: true }).extend({ tenantSlug: z.string().trim().min(1) });

/** A `datetime-local` value, read as UTC (the forms say so); empty means now. */
const startsAt = optional.pipe(
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, "A date and time such as 2026-12-24T22:00 (UTC).")
    .transform((v) => new Date(`${v}Z`))
    .optional(),
);
const durationHours = (maxDays: number) =>
  z.coerce
    .number({ message: "Hours, as a number." })
    .min(0.25, "At least a quarter of an hour.")
    .max(maxDays * 24, `At most ${maxDays} days (${maxDays * 24} hours).`);
const reason = z.string().trim().min(3, "Say why, in a few words: people will read it on the warnings it hides.").max(500, "At most 500 characters.");
const optionalUuid = optional.pipe(z.string().uuid("Not a valid tunnel.").optional());

export const silenceInput = z
  .object({
    tenantSlug: optional,
    tunnelId: optionalUuid,
    kind: optional.pipe(kind.optional()),
    startsAt,
    durationHours: durationHours(NOTIFICATION_BOUNDS.silenceMaxDays),
    reason,
  })
  .refine((s) => s.tenantSlug || s.tunnelId || s.kind, { message: "Match at least a tenant, a tunnel or a kind: a silence of everything would hide every warning.", path: ["tenantSlug"] });
export type SilenceInput = z.infer<typeof silenceInput>;
export const tenantSilenceInput = z.object({
  tenantSlug: z.string().trim().min(1),
  tunnelId: optionalUuid,
  kind: optional.pipe(kind.optional()),
  startsAt,
  durationHours: durationHours(NOTIFICATION_BOUNDS.silenceMaxDays),
  reason,
});

export const maintenanceInput = z.object({
  tenantSlug: z.string().trim().min(1, "Choose a tenant."),
  tunnelId: optionalUuid,
  startsAt,
  durationHours: durationHours(NOTIFICATION_BOUNDS.maintenanceMaxDays),
  reason,
});
export type MaintenanceInput = z.infer<typeof maintenanceInput>;

export const allowedHostInput = z.object({
  host,
  reason: z.string().trim().min(3, "Say why this host may be reached inside the network.").max(300, "At most 300 characters."),
});

export const scrapeTokenInput = z.object({ name });
