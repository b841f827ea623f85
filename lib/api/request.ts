/**
 * What every automation route does with a request before its command runs: read a JSON body
 * (bounded), validate it with the console's own zod schema, and turn a command's refusal into
 * problem+json naming each bad field.
 */
import "server-only";
import type { z } from "zod";
import { fieldErrors } from "@/lib/auth/guards";
import type { CommandRefusal } from "@/lib/commands/result";
import { asClientLeft } from "@/lib/server/client-left";
import { problemJson } from "@/lib/server/problem";

export const MAX_JSON_BYTES = 256 * 1024;

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/**
 * The body as text, or null once it is over `limit` bytes: a declared Content-Length is refused
 * before reading, and a streamed body is read only until it passes the limit, so an oversized
 * body never sits in memory whole.
 */
export async function readBoundedText(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // A client gone mid-body errors the stream (Node's "aborted"): ClientLeft, not a failure.
    const { done, value } = await reader.read().catch((error: unknown) => Promise.reject(error instanceof Error ? asClientLeft(error) : error));
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The cap on what a public sign-in route reads: an ID token or a display link fits many times over. */
export const MAX_SIGN_IN_BYTES = 32 * 1024;

/** What readSmallJson answers for a body over its limit (a value no JSON body can be). */
export const TOO_LARGE = Symbol("too-large");

/**
 * A small JSON body for a route anyone may call: TOO_LARGE past `limit` (read no further), null
 * when it is not JSON, else the parsed value.
 */
export async function readSmallJson(request: Request, limit = MAX_SIGN_IN_BYTES): Promise<unknown> {
  const text = await readBoundedText(request, limit);
  if (text === null) return TOO_LARGE;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export async function readJsonBody(request: Request, limit = MAX_JSON_BYTES): Promise<Parsed<unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    return { ok: false, response: problemJson(415, "Send the body as JSON with 'Content-Type: application/json'.") };
  }
  const text = await readBoundedText(request, limit);
  if (text === null) return { ok: false, response: problemJson(413, `The body is over ${limit} bytes.`) };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: problemJson(400, "The body is not valid JSON.") };
  }
}

export function validate<TSchema extends z.ZodType>(schema: TSchema, value: unknown, what = "Some fields need attention."): Parsed<z.infer<TSchema>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, response: problemJson(400, what, { errors: fieldErrors(parsed.error) }) };
}

/** Reads and validates a JSON body in one step. */
export async function readValidBody<TSchema extends z.ZodType>(request: Request, schema: TSchema): Promise<Parsed<z.infer<TSchema>>> {
  const body = await readJsonBody(request);
  return body.ok ? validate(schema, body.value) : body;
}

/** Query parameters as a plain object, for a zod schema. */
export function queryOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams.entries());
}

export function refusalResponse(refusal: CommandRefusal): Response {
  return problemJson(refusal.status, refusal.message, { errors: refusal.errors });
}

export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { "cache-control": "no-store", ...init.headers } });
}
