/**
 * The agents' telemetry posts, answered by plain Node before Next sees them. At fleet scale they
 * are most of the console's requests (10,000 tunnels: 2,000 posts a second), and Next's handling
 * of each (a web Request and Response, AbortSignals, body streams, the app router's route
 * machinery) was most of the consoles' garbage: 1,200–1,600 scavenges in four minutes per
 * console, the bulk of the event loop's long pauses (docs/benchmarks.md, "Fleet scale").
 *
 * Same work as the route (lib/api/telemetry-post.ts), same answers: only POST to the exact path
 * comes here; every other method, and every other path, goes on to Next as before.
 */
import "server-only";
import type http from "node:http";
import { answerTelemetryPost } from "@/lib/api/telemetry-post";
import { writeAnswer } from "./answer";
import { asClientLeft, ClientLeft } from "./client-left";
import type { FastPath } from "./request-listener";

export const TELEMETRY_PATH = "/api/v1/telemetry";

/** POST /api/v1/telemetry, with or without a query string (Next's route takes both). */
export function isTelemetryPost(req: http.IncomingMessage): boolean {
  if (req.method !== "POST" || !req.url?.startsWith(TELEMETRY_PATH)) return false;
  const rest = req.url.slice(TELEMETRY_PATH.length);
  return rest === "" || rest.startsWith("?");
}

export async function handleTelemetryPost(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const answer = await answerTelemetryPost(req.headers.authorization ?? null, (limit) => readBoundedBody(req, limit));
  // A body refused unread (a bad token, an agent over its rate) or cut off at the cap: the
  // connection closes instead of Node reading the rest only to throw it away.
  writeAnswer(res, answer, { closeConnection: !req.complete });
}

/** For createRequestListener's `fastPaths` (server.ts). */
export const telemetryFastPath: FastPath = { matches: isTelemetryPost, handle: handleTelemetryPost };

/**
 * The body as text, or null once it is over `limit` bytes: as readBoundedText (lib/api/request.ts)
 * does for a web Request, a declared Content-Length over the limit is refused before reading,
 * and a streamed body is read only until it passes the limit, so an oversized body never sits in
 * memory whole. A client that went away, before the read or during it, rejects with ClientLeft
 * (not answered: lib/server/request-listener.ts).
 */
export function readBoundedBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.resolve(null);
  if (req.readableEnded) return Promise.resolve("");
  // Gone already (the agent gave up while its token was looked up): its 'close' has been
  // emitted, and no event is coming that would settle the promise below.
  if (req.destroyed) return Promise.reject(new ClientLeft());
  return new Promise<string | null>((resolve, reject) => {
    // An agent's post (a sample is about a kilobyte) mostly arrives in one chunk: that one is
    // decoded as it is, not copied into a joined buffer first. Later chunks start the list.
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        stop();
        // Nothing more is read; the answer closes the connection (handleTelemetryPost).
        req.pause();
        resolve(null);
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks ? Buffer.concat(chunks, size).toString("utf8") : (first?.toString("utf8") ?? ""));
    };
    const onError = (error: Error) => {
      stop();
      reject(asClientLeft(error));
    };
    // 'close' before 'end': the client went away; without this the promise would never settle.
    const onClose = () => {
      stop();
      reject(new ClientLeft());
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
