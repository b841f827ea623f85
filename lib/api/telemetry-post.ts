/**
 * POST /api/v1/telemetry, once, for both doors it is served through: Next's route handler
 * (app/api/v1/telemetry/route.ts, behind `defineRoute({ access: "agent" })`) and the plain Node
 * fast path in front of Next (lib/server/telemetry-fast-path.ts), which skips Next's per-request
 * machinery for the fleet's most frequent request. Transport-neutral: the body comes through a
 * reader, the answer goes back as plain data (lib/server/answer.ts).
 */
import "server-only";
import type { AgentPrincipal } from "@/lib/auth/agent";
import { AGENT_TOKEN_REFUSAL, authenticateAgent } from "@/lib/auth/agent";
import { readConfig } from "@/lib/config";
import { getDatabase, type Database } from "@/lib/db/client";
import { processMetrics } from "@/lib/metrics/registry";
import { jsonAnswer, type PlainAnswer } from "@/lib/server/answer";
import { ClientLeft } from "@/lib/server/client-left";
import { problemAnswer } from "@/lib/server/problem";
import { PostsInProgress } from "@/lib/server/posts-in-progress";
import { processSlot } from "@/lib/server/process-slot";
import { routeFailureAnswer } from "@/lib/server/route-failure";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { TokenBuckets } from "@/lib/telemetry/rate-limit";
import { fieldErrors } from "@/lib/validation/field-errors";
import { MAX_BATCH, telemetryBatchSchema } from "@/lib/validation/telemetry";

export const MAX_TELEMETRY_BODY_BYTES = 1024 * 1024;

/**
 * Agents post every few seconds at most; 20 requests of burst, 2 a second sustained. One set of
 * buckets per process (processSlot), whichever door and whichever copy of this module an
 * agent's post goes through: server.ts and Next's bundle load it separately.
 */
const perAgent = processSlot<TokenBuckets>("ingest-rate-limits").getOrCreate(() => new TokenBuckets(20, 2));

/**
 * The posts this console is handling, through either door, and its limit (INGEST_MAX_POSTS_IN_PROGRESS,
 * lib/server/posts-in-progress.ts). Exported for tests, which set a small one.
 */
export const postsInProgress = processSlot<PostsInProgress>("telemetry-posts-in-progress");
const postLimit = () => postsInProgress.getOrCreate(() => new PostsInProgress(readConfig().ingestMaxPostsInProgress));

/** The body as text, or null once it is over `limit` bytes (read no further). */
export type BodyReader = (limit: number) => Promise<string | null>;

const FIELDS_WRONG = "Some fields are wrong; nothing was stored.";

/**
 * One sample, or `{ "samples": [...] }`, from an agent already known. 202 with how many were new
 * and how many were re-sends; 400 naming each bad field (nothing stored); 413 for an oversized
 * body or batch; 429 with Retry-After for an agent sending too fast; 503 with Retry-After when
 * the console is handling its limit of posts already (below). Failures thrown (the database
 * behind or too slow) are the caller's door's to answer.
 *
 * The limit of posts in progress (lib/server/posts-in-progress.ts) counts a post from the moment
 * its body is in until it is answered: what it bounds is the posts whose samples are parsed and
 * waiting to be written. A post is counted only once its token is known and its body read, so
 * neither a caller without a valid token nor an agent that holds its body back can take a place
 * from the fleet's agents; past the limit the post is answered 503 before its body is parsed,
 * and the agent keeps its samples for its next post. Both doors come through here alike.
 */
export async function acceptTelemetryBatch(db: Database, agent: AgentPrincipal, readBody: BodyReader, now?: Date): Promise<PlainAnswer> {
  const limited = perAgent.take(agent.endpointId);
  if (!limited.ok) {
    return problemAnswer(429, "Too many requests from this agent; send batches less often.", { headers: { "retry-after": String(limited.retryAfterSeconds) } });
  }
  const text = await readBody(MAX_TELEMETRY_BODY_BYTES);
  if (text === null) return problemAnswer(413, `The body is over ${MAX_TELEMETRY_BODY_BYTES} bytes; send smaller batches.`);

  const posts = postLimit();
  if (!posts.tryEnter()) {
    return problemAnswer(503, `The console is busy: it is handling as many agents' posts as it takes at once (${posts.limit}). Nothing was stored; send the samples again later.`, {
      headers: { "retry-after": "10" },
    });
  }
  try {
    return await storeBatch(db, agent, text, now);
  } finally {
    posts.leave();
  }
}

/** The body, read, as samples stored: its answer. */
async function storeBatch(db: Database, agent: AgentPrincipal, text: string, now: Date | undefined): Promise<PlainAnswer> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problemAnswer(400, "The body is not JSON.");
  }
  // One sample on its own is a batch of one.
  const batch = body && typeof body === "object" && !Array.isArray(body) && "measuredAt" in body ? { samples: [body] } : body;
  const count = (batch as { samples?: unknown })?.samples;
  if (Array.isArray(count) && count.length > MAX_BATCH) {
    return problemAnswer(413, `A batch holds at most ${MAX_BATCH} samples; this one has ${count.length}. Send it in parts.`);
  }
  const parsed = telemetryBatchSchema.safeParse(batch);
  if (!parsed.success) return problemAnswer(400, FIELDS_WRONG, { extra: { fields: fieldErrors(parsed.error) } });

  // The body's length weighs the batch (lib/telemetry/ingest.ts, batchWeight): no second JSON.stringify.
  // The arrival is stamped once the body is in, as the route always has.
  const result = await ingestSamples(db, agent, parsed.data.samples, now ?? new Date(), text.length);
  if (!result.ok) return problemAnswer(400, FIELDS_WRONG, { extra: { fields: result.fields } });
  const metrics = processMetrics();
  metrics.ingestBatches.inc();
  metrics.ingestSamples.inc({ result: "stored" }, result.accepted);
  metrics.ingestSamples.inc({ result: "duplicate" }, result.duplicates);
  return jsonAnswer(202, { accepted: result.accepted, duplicates: result.duplicates }, { "cache-control": "no-store" });
}

/**
 * The whole POST for a door without a guard of its own (the Node fast path): what
 * `defineRoute({ access: "agent" })` does (the agent's bearer token, 401 with the same body and
 * challenge, no cookies and no Origin: agents are not browsers, and a token in a header cannot be
 * ridden by another site), then the batch, then the guard's answer to a failure (503 with
 * Retry-After when the database is behind or cancelled a statement, else 500, logged).
 */
export async function answerTelemetryPost(authorization: string | null, readBody: BodyReader, now?: Date): Promise<PlainAnswer> {
  try {
    const { db } = await getDatabase();
    const agent = await authenticateAgent(authorization, db);
    if (!agent) return AGENT_TOKEN_REFUSAL;
    return await acceptTelemetryBatch(db, agent, readBody, now);
  } catch (error) {
    // Nobody to answer: the door's listener notes it (lib/server/request-listener.ts).
    if (error instanceof ClientLeft) throw error;
    return routeFailureAnswer(error);
  }
}
