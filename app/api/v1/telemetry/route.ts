import { readBoundedText } from "@/lib/api/request";
import { defineRoute, fieldErrors } from "@/lib/auth/guards";
import { processMetrics } from "@/lib/metrics/registry";
import { problem } from "@/lib/server/http";
import { processSlot } from "@/lib/server/process-slot";
import { ingestSamples } from "@/lib/telemetry/ingest";
import { TokenBuckets } from "@/lib/telemetry/rate-limit";
import { MAX_BATCH, telemetryBatchSchema } from "@/lib/validation/telemetry";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 1024 * 1024;
/** Agents post every few seconds at most; 20 requests of burst, 2 a second sustained. */
const perAgent = processSlot<TokenBuckets>("ingest-rate-limits").getOrCreate(() => new TokenBuckets(20, 2));

/**
 * POST /api/v1/telemetry — one sample, or `{ "samples": [...] }`. 202 with how many were new and
 * how many were re-sends; 400 naming each bad field (nothing stored); 401 for a bad token; 413
 * for an oversized batch; 429 with Retry-After for an agent sending too fast; 503 with Retry-After
 * when the database is so far behind that the batch would wait longer than the agent does (the
 * agent keeps it in its spool).
 */
export const POST = defineRoute({ access: "agent" }, async (request, { db, agent }) => {
  const limited = perAgent.take(agent.endpointId);
  if (!limited.ok) {
    return problem(429, "Too many requests from this agent; send batches less often.", {}, { "retry-after": String(limited.retryAfterSeconds) });
  }
  const text = await readBoundedText(request, MAX_BODY_BYTES);
  if (text === null) return problem(413, `The body is over ${MAX_BODY_BYTES} bytes; send smaller batches.`);

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, "The body is not JSON.");
  }
  // One sample on its own is a batch of one.
  const batch = body && typeof body === "object" && !Array.isArray(body) && "measuredAt" in body ? { samples: [body] } : body;
  const count = (batch as { samples?: unknown })?.samples;
  if (Array.isArray(count) && count.length > MAX_BATCH) {
    return problem(413, `A batch holds at most ${MAX_BATCH} samples; this one has ${count.length}. Send it in parts.`);
  }
  const parsed = telemetryBatchSchema.safeParse(batch);
  if (!parsed.success) return problem(400, "Some fields are wrong; nothing was stored.", { fields: fieldErrors(parsed.error) });

  // The body's length weighs the batch (lib/telemetry/ingest.ts, batchWeight): no second JSON.stringify.
  const result = await ingestSamples(db, agent, parsed.data.samples, new Date(), text.length);
  if (!result.ok) return problem(400, "Some fields are wrong; nothing was stored.", { fields: result.fields });
  const metrics = processMetrics();
  metrics.ingestBatches.inc();
  metrics.ingestSamples.inc({ result: "stored" }, result.accepted);
  metrics.ingestSamples.inc({ result: "duplicate" }, result.duplicates);
  return Response.json({ accepted: result.accepted, duplicates: result.duplicates }, { status: 202, headers: { "cache-control": "no-store" } });
});
