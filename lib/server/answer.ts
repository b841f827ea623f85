/**
 * An HTTP answer as plain data: status, headers and the body's text. What a route's work returns
 * when two transports serve it (Next's route handler and the console's plain Node fast path in
 * front of Next, lib/server/telemetry-fast-path.ts): each turns the same answer into its own
 * response object, so both send the same bytes.
 */
import "server-only";
import type http from "node:http";

export type PlainAnswer = { status: number; headers: Record<string, string>; body: string };

/** JSON, as `Response.json` writes it (`content-type: application/json`), plus the given headers. */
export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): PlainAnswer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(value) };
}

/** For Next's route handlers. */
export function toResponse(answer: PlainAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * For a plain Node response. Headers the listener set before (the security baseline) stay;
 * the answer's own are added. `closeConnection`: the request's body was not read to its end
 * (refused before or part-way), so the connection is closed rather than kept alive, which would
 * have Node read and throw away whatever else the client sends.
 */
export function writeAnswer(res: http.ServerResponse, answer: PlainAnswer, options: { closeConnection?: boolean } = {}): void {
  const headers: Record<string, string | number> = { ...answer.headers, "content-length": Buffer.byteLength(answer.body) };
  if (options.closeConnection) headers.connection = "close";
  res.writeHead(answer.status, headers).end(answer.body);
}
