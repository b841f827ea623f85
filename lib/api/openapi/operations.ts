/**
 * Every operation under /api/v1, with the zod schemas its route validates with. A test walks
 * app/api/v1 and fails when a route's method is missing here.
 */
import { z } from "zod";
import { CHART_RANGE_KEYS } from "@/lib/charts/ranges";
import { BULK_COLUMNS, MAX_BULK_ROWS } from "@/lib/domain/bulk-rows";
import {
  auditExportQuery,
  availableVlansQuery,
  auditListQuery,
  bulkQuery,
  stretchCancelBody,
  stretchPlanBody,
  stretchStepBody,
  stretchUnextendBody,
  tenantListQuery,
  tenantPatchBody,
  warningListQuery,
} from "@/lib/validation/api";
import { channelInput, silenceInput, tenantSilenceInput } from "@/lib/validation/notifications";
import { updatePoolInput } from "@/lib/validation/pool";
import { MAX_BATCH, sampleSchema, telemetryBatchSchema } from "@/lib/validation/telemetry";
import { onboardTenantInput } from "@/lib/validation/tenant";
import { tunnelBody } from "@/lib/validation/tunnel";
import type { Operation } from "./build";

const json = (description: string, properties: Record<string, unknown> = {}) => ({ description, schema: { type: "object", properties } });
const page = (description: string) => json(description, { items: { type: "array", items: { type: "object" } }, next: { type: ["string", "null"], description: "Pass as `cursor` for the next page; null on the last." } });
const notFound = { "404": { description: "No such resource, or it belongs to a tenant the caller cannot see." } };
const stretchAnswer = (description: string) => ({ ...json(description, { stage: { type: "string" }, stageChangedAt: { type: "string" } }), headers: { ETag: "The stretch's new version." } });
const conflict = (why: string) => ({ "409": { description: why } });

const TENANTS: Operation[] = [
  {
    method: "get", path: "/api/v1/tenants", tag: "Tenants", access: "read", fleetWide: true, query: tenantListQuery,
    summary: "List tenants with the console's filters, in slug order, a cursor page at a time",
    responses: { "200": page("A page of tenants.") },
  },
  {
    method: "post", path: "/api/v1/tenants", tag: "Tenants", access: "write", fleetWide: true, body: onboardTenantInput, idempotencyKey: true,
    summary: "Onboard a tenant: its VLAN (next free, or the one named), VNI and pending segment, all or nothing",
    responses: {
      "201": { ...json("Onboarded; the segment is provisioned in the background (GET …/segment).", { id: { type: "string" }, slug: { type: "string" }, vlanId: { type: "integer" }, vni: { type: "integer" }, state: { type: "string" } }), headers: { Location: "The tenant's URL." } },
      ...conflict("The slug is taken, or the VLAN/VNI is not free."),
      "422": { description: "The Idempotency-Key was used before for a different request." },
    },
  },
  {
    method: "post", path: "/api/v1/tenant-imports", tag: "Tenants", access: "write", fleetWide: true, query: bulkQuery,
    body: { type: "object", required: ["rows"], properties: { rows: { type: "array", maxItems: MAX_BULK_ROWS, items: { $ref: "#/components/schemas/OnboardTenant" } } } },
    summary: "Bulk onboarding from CSV or JSON: a dry run names each bad row; apply all-or-nothing or per row",
    description: `Send JSON ({ rows: [...] }) or CSV (Content-Type: text/csv) with a header of these columns: ${BULK_COLUMNS.join(", ")}. Up to ${MAX_BULK_ROWS} rows.`,
    responses: {
      "200": json("Dry run or per-row: each row's VLAN/VNI or errors; `committed` says whether anything was written.", { committed: { type: "boolean" }, succeeded: { type: "integer" }, failed: { type: "integer" }, rows: { type: "array", items: { type: "object" } } }),
      "201": json("All rows onboarded (all-or-nothing)."),
      "422": json("All-or-nothing with bad rows: nothing was written; the rows say why."),
    },
  },
  {
    method: "get", path: "/api/v1/tenants/{slug}", tag: "Tenants", access: "read",
    summary: "One tenant: network, VLAN, segment state, tunnels",
    responses: { "200": { ...json("The tenant."), headers: { ETag: "Send back in If-Match to edit." } }, ...notFound },
  },
  {
    method: "patch", path: "/api/v1/tenants/{slug}", tag: "Tenants", access: "write", fleetWide: true, body: tenantPatchBody, ifMatch: true,
    summary: "Edit what may change after onboarding; fixed fields are refused by name",
    responses: { "200": { ...json("The tenant's editable fields after the edit."), headers: { ETag: "The new version." } }, ...notFound, ...conflict("The tenant is offboarding or offboarded, or (without If-Match) it kept changing while the edit was applied."), "412": { description: "If-Match named an older version; nothing changed." } },
  },
  {
    method: "delete", path: "/api/v1/tenants/{slug}", tag: "Tenants", access: "write", fleetWide: true,
    query: z.object({ reason: z.string().optional().describe("Why offboarding goes ahead past a failed pre-check (a tunnel still attached, recent traffic, a workload left); audited.") }),
    summary: "Offboard after the console's pre-checks: access ends now; the VLAN enters quarantine once the segment is gone",
    responses: { "200": json("Offboarded."), "202": json("Offboarding: the segment is being removed from Azure."), ...notFound, ...conflict("Already offboarding or offboarded, or a pre-check failed and no reason was given (the problem lists the checks).") },
  },
  {
    method: "get", path: "/api/v1/tenants/{slug}/segment", tag: "Segments", access: "read",
    summary: "The tenant's NSX-T segment: state, last error, attempts",
    responses: { "200": json("The segment."), ...notFound },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/segment/retry", tag: "Segments", access: "write", fleetWide: true,
    summary: "Send a failed or drifted segment back to the provisioning job",
    responses: { "202": json("Retrying."), ...notFound, ...conflict("The segment is not failed or drifted, or a worker holds it.") },
  },
  {
    method: "get", path: "/api/v1/tenants/{slug}/stretch", tag: "Tenants", access: "read",
    summary: "Where the stretch stands (extending, cut-over planned, cut over, unextended), its pre-checks with their evidence, and its timeline",
    responses: { "200": { ...json("The stretch."), headers: { ETag: "The stretch's version: send it back in If-Match to take a step." } }, ...notFound },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/stretch/plan", tag: "Stretch", access: "write", fleetWide: true, body: stretchPlanBody, ifMatch: "required",
    summary: "Plan (or re-plan) the cut-over: the gateway address the Tier-1 takes, which Tier-1, the date, the source interface",
    responses: { "200": stretchAnswer("Planned: the pre-checks now judge this plan; the bundle has the cut-over files."), ...notFound, ...conflict("The stretch is not extending or cut-over planned, or the tenant is offboarding.") },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/stretch/cancel-plan", tag: "Stretch", access: "write", fleetWide: true, body: stretchCancelBody, ifMatch: "required",
    summary: "Cancel the plan: the stretch is extending again (no body needed)",
    responses: { "200": stretchAnswer("Cancelled."), ...notFound, ...conflict("There is no plan to cancel.") },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/stretch/cut-over", tag: "Stretch", access: "write", fleetWide: true, body: stretchStepBody, ifMatch: "required",
    summary: "Cut over: pre-checks judged now (past a warn or fail only with a reason, audited); Azure moves the gateway to the Tier-1",
    responses: { "202": stretchAnswer("Cutting over: GET …/stretch follows Azure's operation."), ...notFound, ...conflict("Not planned, the segment is busy, or a pre-check needs a reason (the problem lists `checks`).") },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/stretch/roll-back", tag: "Stretch", access: "write", fleetWide: true, body: stretchStepBody, ifMatch: "required",
    summary: "Roll back a cut-over: Azure takes the gateway off the segment; the source router takes it back with the restore file",
    responses: { "202": stretchAnswer("Rolling back."), ...notFound, ...conflict("Not cut over (or a failed cut-over), or the segment is busy.") },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/stretch/unextend", tag: "Stretch", access: "write", fleetWide: true, body: stretchUnextendBody, ifMatch: "required",
    summary: "Unextend: after its pre-checks (or a reason) and the slug typed to confirm, the tunnels and their agent tokens are retired; the segment stays routed",
    responses: { "200": stretchAnswer("Unextended: teardown files at GET …/teardown."), ...notFound, ...conflict("Not cut over, the segment is not ready, or a pre-check needs a reason (the problem lists `checks`).") },
  },
  {
    method: "get", path: "/api/v1/tenants/{slug}/teardown", tag: "Tenants", access: "secrets",
    summary: "The gateways' teardown files kept by the unextend (zip; audited)",
    responses: { "200": { description: "The zip.", contentType: "application/zip" }, ...notFound },
  },
  {
    method: "get", path: "/api/v1/tenants/{slug}/warnings", tag: "Warnings", access: "read",
    summary: "The tenant's active warnings and its recently resolved ones",
    responses: { "200": json("Active and past warnings.", { active: { type: "array", items: { type: "object" } }, past: { type: "array", items: { type: "object" } } }), ...notFound },
  },
  {
    method: "get", path: "/api/v1/tenants/{slug}/audit", tag: "Audit", access: "read", query: auditListQuery.omit({ tenant: true }),
    summary: "The tenant's audit trail, newest first",
    responses: { "200": page("A page of audit events."), ...notFound },
  },
  {
    method: "post", path: "/api/v1/tenants/{slug}/tunnels", tag: "Tunnels", access: "write", fleetWide: true, body: tunnelBody, idempotencyKey: true,
    summary: "Add a tunnel (at most two: primary and standby) with both ends; issues both agents' tokens",
    responses: { "201": { ...json("Added.", { id: { type: "string" }, ordinal: { type: "integer" }, bundle: { type: "string" } }), headers: { Location: "The tunnel's URL." } }, ...notFound, ...conflict("The tenant has its two tunnels, has one of that name, or is offboarding.") },
  },
];

const TUNNELS: Operation[] = [
  {
    method: "delete", path: "/api/v1/tunnels/{id}", tag: "Tunnels", access: "write", fleetWide: true,
    summary: "Remove a tunnel with its ends and their agent tokens",
    responses: { "200": json("Removed."), ...notFound },
  },
  {
    method: "get", path: "/api/v1/tunnels/{id}/bundle", tag: "Tunnels", access: "secrets",
    summary: "Every gateway config for both ends, with a README giving the apply order (zip; carries keys; audited)",
    responses: { "200": { description: "The zip.", contentType: "application/zip" }, ...notFound },
  },
  {
    method: "get", path: "/api/v1/tunnels/{id}/files", tag: "Tunnels", access: "secrets", query: z.object({ path: z.string().describe("A file's path as the bundle's README lists it.") }),
    summary: "One generated config file (audited)",
    responses: { "200": { description: "The file.", contentType: "text/plain" }, ...notFound },
  },
  {
    method: "get", path: "/api/v1/tunnels/{id}/series", tag: "Telemetry", access: "read", query: z.object({
      range: z.enum(CHART_RANGE_KEYS as [string, ...string[]]).optional().describe("A preset ending now; without range, from and to, the last 24 hours."),
      from: z.string().optional().describe("Start of a custom range: ISO 8601 (UTC without an offset), epoch milliseconds, or now-relative (now-6h, now-30m, now-7d). Not with range."),
      to: z.string().optional().describe("End of a custom range, as from; defaults to now. Moved back to now when later; a start before the oldest history kept (400 days) is moved up to it."),
    }),
    summary: "The tunnel's health and latency, jitter, loss and throughput over a range",
    responses: { "200": json("The series."), ...notFound },
  },
  {
    method: "get", path: "/api/v1/tunnels/{id}/paths", tag: "Telemetry", access: "read",
    summary: "The newest forward and reverse paths, hop by hop",
    responses: { "200": json("The paths."), ...notFound },
  },
  {
    method: "post", path: "/api/v1/tunnel-endpoints/{id}/agent-token", tag: "Tunnels", access: "write",
    summary: "Rotate one end's agent token; the new token is in the answer, once",
    responses: { "201": json("Rotated.", { token: { type: "string" }, previousValidUntil: { type: ["string", "null"] } }), ...notFound },
  },
];

const channelItem = json("A channel: where it sends (its secret never shown: webhook URLs without query values and token-like path parts, no SMTP password), the last delivery, how many wait.", {
  id: { type: "string" }, name: { type: "string" }, kind: { type: "string", enum: ["webhook", "teams", "email"] }, target: { type: "string" },
});
const channelOne = { ...channelItem, headers: { ETag: "The channel's version: send it back in If-Match to change it." } };
const channelList = json("The channels.", { items: { type: "array", items: { type: "object" } } });
const silenceList = json("Silences running, coming, or ended in the last day.", { items: { type: "array", items: { type: "object" } } });
const channelCreated = { ...json("Added. A webhook's signing secret is in `signingSecret`, shown this once.", { id: { type: "string" }, signingSecret: { type: ["string", "null"] } }), headers: { Location: "The channel's URL." } };
const silenceCreated = { ...json("Silenced.", { id: { type: "string" }, startsAt: { type: "string" }, endsAt: { type: "string" } }), headers: { Location: "The silence's URL." } };
const CHANNEL_PUT = "Change the channel's name and target; its kind stays. Send the whole channel as when adding it: a webhook keeps its signing secret, an e-mail channel its SMTP password unless `password` is sent (required again when `host` or `port` changes).";

const NOTIFICATIONS: Operation[] = [
  { method: "get", path: "/api/v1/notification-channels", tag: "Notifications", access: "read", fleetWide: true, summary: "The operators' notification channels", responses: { "200": channelList } },
  { method: "post", path: "/api/v1/notification-channels", tag: "Notifications", access: "write", fleetWide: true, body: channelInput, summary: "Add an operators' channel (webhook, Teams or e-mail); the target is checked now", description: "No Idempotency-Key: the answer carries a secret shown once, which a replay would have to keep.", responses: { "201": channelCreated } },
  { method: "get", path: "/api/v1/notification-channels/{id}", tag: "Notifications", access: "read", fleetWide: true, summary: "One operators' channel", responses: { "200": channelOne, ...notFound } },
  { method: "put", path: "/api/v1/notification-channels/{id}", tag: "Notifications", access: "write", fleetWide: true, body: channelInput, ifMatch: true, summary: CHANNEL_PUT, responses: { "200": channelOne, ...notFound, ...conflict("Without If-Match: the channel changed while the edit was applied; send it again.") } },
  { method: "delete", path: "/api/v1/notification-channels/{id}", tag: "Notifications", access: "write", fleetWide: true, summary: "Delete an operators' channel with its rules and delivery log", responses: { "200": json("Deleted."), ...notFound } },
  { method: "get", path: "/api/v1/tenants/{slug}/notification-channels", tag: "Notifications", access: "write", summary: "The tenant's own channels (as its notifications page: a write scope)", responses: { "200": channelList, ...notFound } },
  { method: "post", path: "/api/v1/tenants/{slug}/notification-channels", tag: "Notifications", access: "write", body: channelInput, summary: "Add a channel of the tenant's own; public targets only", responses: { "201": channelCreated, ...notFound } },
  { method: "get", path: "/api/v1/tenants/{slug}/notification-channels/{id}", tag: "Notifications", access: "write", summary: "One of the tenant's own channels", responses: { "200": channelOne, ...notFound } },
  { method: "put", path: "/api/v1/tenants/{slug}/notification-channels/{id}", tag: "Notifications", access: "write", body: channelInput, ifMatch: true, summary: CHANNEL_PUT, responses: { "200": channelOne, ...notFound, ...conflict("Without If-Match: the channel changed while the edit was applied; send it again.") } },
  { method: "delete", path: "/api/v1/tenants/{slug}/notification-channels/{id}", tag: "Notifications", access: "write", summary: "Delete one of the tenant's own channels", responses: { "200": json("Deleted."), ...notFound } },
  { method: "get", path: "/api/v1/silences", tag: "Notifications", access: "read", fleetWide: true, summary: "The operators' silences", responses: { "200": silenceList } },
  { method: "post", path: "/api/v1/silences", tag: "Notifications", access: "write", fleetWide: true, body: silenceInput, idempotencyKey: true, summary: "Silence the operators' rules for a tenant, tunnel or kind, now or later, for a while", responses: { "201": silenceCreated } },
  { method: "delete", path: "/api/v1/silences/{id}", tag: "Notifications", access: "write", fleetWide: true, summary: "End an operators' silence now (its record stays)", responses: { "200": json("Ended."), ...notFound, ...conflict("Already ended.") } },
  { method: "get", path: "/api/v1/tenants/{slug}/silences", tag: "Notifications", access: "write", summary: "The tenant's own silences (as its notifications page: a write scope)", responses: { "200": silenceList, ...notFound } },
  { method: "post", path: "/api/v1/tenants/{slug}/silences", tag: "Notifications", access: "write", body: tenantSilenceInput.omit({ tenantSlug: true }), idempotencyKey: true, summary: "Silence the tenant's own rules for its warnings (a tunnel or kind of them)", responses: { "201": silenceCreated, ...notFound } },
  { method: "delete", path: "/api/v1/tenants/{slug}/silences/{id}", tag: "Notifications", access: "write", summary: "End one of the tenant's own silences now", responses: { "200": json("Ended."), ...notFound, ...conflict("Already ended.") } },
];

const FLEET: Operation[] = [
  {
    method: "get", path: "/api/v1/warnings", tag: "Warnings", access: "read", fleetWide: true, query: warningListQuery,
    summary: "Every active warning, worst first, filtered by severity, kind and tenant",
    responses: { "200": json("A page of warnings.", { items: { type: "array", items: { type: "object" } }, total: { type: "integer" }, page: { type: "integer" }, pages: { type: "integer" } }) },
  },
  {
    method: "post", path: "/api/v1/warnings/{id}/acknowledge", tag: "Warnings", access: "write",
    summary: "Acknowledge a warning: someone is on it",
    responses: { "200": json("Acknowledged."), ...notFound, ...conflict("Already acknowledged or resolved.") },
  },
  {
    method: "get", path: "/api/v1/audit", tag: "Audit", access: "read", fleetWide: true, query: auditListQuery,
    summary: "The audit trail, newest first, filtered by tenant and action",
    responses: { "200": page("A page of audit events.") },
  },
  {
    method: "get", path: "/api/v1/audit/export", tag: "Audit", access: "read", fleetWide: true, query: auditExportQuery,
    summary: "The audit trail as CSV or JSON Lines, newest first",
    responses: { "200": { description: "The file (text/csv or application/jsonl).", contentType: "text/csv" } },
  },
  {
    method: "get", path: "/api/v1/private-clouds", tag: "VLAN pools", access: "read", fleetWide: true,
    summary: "The private clouds tenants can be onboarded into",
    responses: { "200": json("The private clouds.", { items: { type: "array", items: { type: "object" } } }) },
  },
  {
    method: "get", path: "/api/v1/vlan-pools/{cloudId}", tag: "VLAN pools", access: "read", fleetWide: true,
    summary: "A private cloud's VLAN pool: rules, counts by state, holders",
    responses: { "200": { ...json("The pool."), headers: { ETag: "Send back in If-Match to change the rules." } }, ...notFound },
  },
  {
    method: "put", path: "/api/v1/vlan-pools/{cloudId}", tag: "VLAN pools", access: "write", fleetWide: true, body: updatePoolInput.omit({ privateCloudId: true }), ifMatch: true,
    summary: "Change the pool's ranges, reserved IDs and quarantine",
    responses: { "200": { ...json("Saved; VLANs held outside the new rules are named.", { keptOutsideRules: { type: "array", items: { type: "integer" } } }), headers: { ETag: "The new version." } }, ...notFound },
  },
  {
    method: "get", path: "/api/v1/vlan-pools/{cloudId}/available-vlans", tag: "VLAN pools", access: "read", fleetWide: true, query: availableVlansQuery,
    summary: "Free VLAN IDs, lowest first (NetBox's available-vlans)",
    responses: { "200": json("Free IDs.", { items: { type: "array", items: { type: "object", properties: { vlanId: { type: "integer" } } } }, free: { type: "integer" } }), ...notFound },
  },
  {
    method: "get", path: "/api/v1/vlan-pools/{cloudId}/next-vlan", tag: "VLAN pools", access: "read", fleetWide: true,
    summary: "The VLAN and VNI onboarding would take next (not held: onboard with vlan \"next\")",
    responses: { "200": json("The next free VLAN.", { vlanId: { type: "integer" }, vni: { type: "integer" } }), ...notFound, ...conflict("No free VLAN left.") },
  },
  {
    method: "get", path: "/api/v1/fleet", tag: "Fleet", access: "read", fleetWide: true,
    summary: "The admin overview's numbers",
    responses: { "200": json("Fleet counts.") },
  },
  {
    method: "get", path: "/api/v1/noc", tag: "Fleet", access: "read", fleetWide: true, ifNoneMatch: true,
    summary: "The NOC wall's data: every tunnel's state and last hour, counts, open warnings",
    responses: {
      "200": {
        ...json("The wall's snapshot, read at its generatedAt (at most 20 s before it is served)."),
        headers: {
          ETag: "This snapshot's version: send it back in If-None-Match; while it is still the one served, the answer is 304.",
          Age: "Whole seconds since the snapshot was read (since its generatedAt): add it to any age computed from generatedAt.",
          "Cache-Control": "private, no-cache: a browser may keep it but must ask again each time; a shared cache must not keep it.",
        },
      },
      "304": {
        description: "If-None-Match named the snapshot served now; no body. Authorization is checked first, as for a 200.",
        headers: { ETag: "The snapshot's version (unchanged).", Age: "Whole seconds since it was read." },
      },
    },
  },
];

const TELEMETRY_ERROR = { type: "object", required: ["error"], properties: { error: { type: "string" }, fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } } };

const AGENTS: Operation[] = [
  {
    method: "post", path: "/api/v1/telemetry", tag: "Telemetry ingest", access: "agent",
    body: { oneOf: [{ $ref: "#/components/schemas/Sample" }, { $ref: "#/components/schemas/Batch" }] },
    summary: `Send one sample, or a batch of up to ${MAX_BATCH}`,
    responses: {
      "202": json("Stored. Re-sent samples (same endpoint and time) are counted as duplicates, not stored twice.", { accepted: { type: "integer" }, duplicates: { type: "integer" } }),
      "400": { description: "A field is wrong; nothing was stored", schema: TELEMETRY_ERROR, contentType: "application/problem+json" },
      "401": { description: "Missing, unknown or rotated token" },
      "413": { description: "Batch or body too large" },
      "429": { description: "Sending too fast; see Retry-After", headers: { "Retry-After": "Seconds to wait." } },
      "503": { description: "The console is busy (as many posts in progress as it takes) or its database is behind; nothing was stored: keep the samples and send them later, see Retry-After", headers: { "Retry-After": "Seconds to wait." } },
    },
  },
  {
    method: "get", path: "/api/v1/openapi.json", tag: "Meta", access: "public",
    summary: "This document",
    responses: { "200": json("The OpenAPI 3.1 document.") },
  },
];

export const OPERATIONS: Operation[] = [...TENANTS, ...TUNNELS, ...NOTIFICATIONS, ...FLEET, ...AGENTS];

/** Schemas referenced by name (the telemetry agents' contract predates the automation API). */
export const NAMED_SCHEMAS = { Sample: sampleSchema, Batch: telemetryBatchSchema, OnboardTenant: onboardTenantInput };
