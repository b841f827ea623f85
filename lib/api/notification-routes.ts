/**
 * The notification routes' shared work: the operators' (owner null, under /api/v1/silences and
 * /api/v1/notification-channels) and a tenant's own (under /api/v1/tenants/{slug}/…) run the
 * same commands the settings pages do, with the owner the guard resolved. A channel or silence of
 * another owner is not found (404), whoever asks: the path says whose it is.
 */
import "server-only";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { notificationChannels, notificationSilences } from "@/lib/db/schema";
import { createChannel, deleteChannel, updateChannel } from "@/lib/commands/notification-channels";
import { createSilence, endSilence } from "@/lib/commands/quiet-periods";
import { notificationEnv } from "@/lib/notifications/config";
import { getChannelSummary, listChannels, listSilences } from "@/lib/queries/notifications";
import { problemBody, problemJson } from "@/lib/server/problem";
import { channelInput, silenceInput, tenantSilenceInput } from "@/lib/validation/notifications";
import { isUuid } from "@/lib/validation/api";
import { recordVersion } from "@/lib/domain/tenant-version";
import { callerOf, runIdempotent } from "./idempotency";
import { entityTag } from "./if-match";
import { checkIfMatch, staleResponse } from "./preconditions";
import { jsonResponse, readJsonBody, readValidBody, refusalResponse, validate } from "./request";

type Owner = { owner: string | null; slug?: string };
type Context = { db: Database; principal: Principal };

const base = ({ slug }: Owner) => (slug ? `/api/v1/tenants/${slug}` : "/api/v1");

export async function listChannelsOf(db: Database, { owner }: Owner): Promise<Response> {
  return jsonResponse({ items: await listChannels(db, owner) });
}

/**
 * No Idempotency-Key here: the answer carries a webhook's signing secret, shown once, which a
 * replay would have to keep in the clear.
 */
export async function createChannelFor(request: Request, { db, principal }: Context, who: Owner): Promise<Response> {
  const body = await readValidBody(request, channelInput);
  if (!body.ok) return body.response;
  const result = await createChannel(db, principal, who.owner, body.value, notificationEnv());
  if (!result.ok) return refusalResponse(result);
  const channel = await getChannelSummary(db, result.channelId);
  return jsonResponse(
    { ...channel, tenantId: undefined, signingSecret: result.signingSecret },
    { status: 201, headers: { location: `${base(who)}/notification-channels/${result.channelId}` } },
  );
}

/** The channel's row when it belongs to this owner; another owner's is as good as missing. */
async function ownedChannel(db: Database, id: string, owner: string | null) {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  return row && row.tenantId === owner ? row : null;
}

async function channelAnswer(db: Database, id: string, version: string, status = 200): Promise<Response> {
  const channel = await getChannelSummary(db, id);
  if (!channel) return problemJson(404, "Not found.");
  return jsonResponse({ ...channel, tenantId: undefined }, { status, headers: { etag: entityTag(version) } });
}

/** One channel, with an ETag (a hash of the stored channel, secrets' ciphertext included) for If-Match. */
export async function getChannelOf(db: Database, who: Owner, id: string): Promise<Response> {
  const row = await ownedChannel(db, id, who.owner);
  if (!row) return problemJson(404, "Not found.");
  return channelAnswer(db, id, recordVersion(row));
}

export async function updateChannelOf(request: Request, { db, principal }: Context, who: Owner, id: string): Promise<Response> {
  const row = await ownedChannel(db, id, who.owner);
  if (!row) return problemJson(404, "Not found.");
  const precondition = checkIfMatch(request, recordVersion(row), { required: false, what: "the channel" });
  if (!precondition.ok) return precondition.response;
  const body = await readValidBody(request, channelInput);
  if (!body.ok) return body.response;
  const result = await updateChannel(db, principal, who.owner, id, body.value, { ...notificationEnv(), ifVersion: precondition.version });
  if (!result.ok && result.reason === "stale") {
    return precondition.version !== undefined ? staleResponse("the channel") : problemJson(409, "The channel changed while this edit was applied; GET it and send the edit again.");
  }
  if (!result.ok) return refusalResponse(result);
  return channelAnswer(db, id, result.version);
}

export async function deleteChannelOf({ db, principal }: Context, who: Owner, id: string): Promise<Response> {
  if (!(await ownedChannel(db, id, who.owner))) return problemJson(404, "Not found.");
  const result = await deleteChannel(db, principal, id);
  if (!result.ok) return refusalResponse(result);
  return jsonResponse({ id, deleted: true });
}

export async function listSilencesOf(db: Database, { owner }: Owner): Promise<Response> {
  return jsonResponse({ items: await listSilences(db, owner, new Date()) });
}

/** A silence per POST; a retry with the same Idempotency-Key and body answers the first again. */
export async function createSilenceFor(request: Request, { db, principal }: Context, who: Owner): Promise<Response> {
  const raw = await readJsonBody(request);
  if (!raw.ok) return raw.response;
  const input = who.owner === null ? validate(silenceInput, raw.value) : validate(tenantSilenceInput.omit({ tenantSlug: true }), raw.value);
  if (!input.ok) return input.response;
  const value = input.value as z.infer<typeof silenceInput>;
  return runIdempotent(db, request, callerOf(principal), raw.value, async (tx) => {
    const result = await createSilence(tx, principal, who.owner, who.owner === null ? value : { ...value, tenantSlug: who.slug });
    if (!result.ok) return { status: result.status, body: problemBody(result.status, result.message, result.errors) };
    const [row] = await tx.select().from(notificationSilences).where(eq(notificationSilences.id, result.silenceId));
    return { status: 201, location: `${base(who)}/silences/${result.silenceId}`, body: row };
  });
}

/** Ends a silence now (its record stays, with who ended it); an ended one answers 409. */
export async function endSilenceOf({ db, principal }: Context, who: Owner, id: string): Promise<Response> {
  if (!isUuid(id)) return problemJson(404, "Not found.");
  const [row] = await db.select({ owner: notificationSilences.ownerTenantId }).from(notificationSilences).where(eq(notificationSilences.id, id));
  if (!row || row.owner !== who.owner) return problemJson(404, "Not found.");
  const result = await endSilence(db, principal, id);
  if (!result.ok) return refusalResponse(result);
  return jsonResponse({ id, ended: true });
}
