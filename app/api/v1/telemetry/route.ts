import { readBoundedText } from "@/lib/api/request";
import { acceptTelemetryBatch } from "@/lib/api/telemetry-post";
import { defineRoute } from "@/lib/auth/guards";
import { toResponse } from "@/lib/server/answer";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/telemetry — one sample, or `{ "samples": [...] }`. 202 with how many were new and
 * how many were re-sends; 400 naming each bad field (nothing stored); 401 for a bad token; 413
 * for an oversized batch; 429 with Retry-After for an agent sending too fast; 503 with Retry-After
 * when the database is so far behind that the batch would wait longer than the agent does, or
 * when the console is handling as many posts as it takes at once (the agent keeps its samples in
 * its spool either way).
 *
 * The console's own server answers these posts before Next sees them (server.ts, the fast path
 * in lib/server/telemetry-fast-path.ts) with the same work (lib/api/telemetry-post.ts); this
 * handler serves them when Next is the server (`next dev`, `next start`), and it is what the
 * OpenAPI document and the route's tests describe.
 */
export const POST = defineRoute({ access: "agent" }, async (request, { db, agent }) =>
  toResponse(await acceptTelemetryBatch(db, agent, (limit) => readBoundedText(request, limit))),
);
