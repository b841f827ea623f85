/**
 * RFC 9457 problem details for the automation API: `type`, `title`, `status`, `detail`, and
 * `errors` naming each bad field with what to fix (the same messages the console's forms show).
 * `error` repeats the detail, so clients of the console's older `{ error }` answers read both.
 */
import "server-only";
import { toResponse, type PlainAnswer } from "./answer";

export type FieldErrors = Partial<Record<string, string[]>>;

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  412: "Precondition failed",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  428: "Precondition required",
  429: "Too many requests",
  500: "Internal error",
  503: "Service unavailable",
};

export function problemBody(status: number, detail: string, errors?: FieldErrors, extra: Record<string, unknown> = {}) {
  return { type: "about:blank", title: TITLES[status] ?? "Error", status, detail, error: detail, ...(errors ? { errors } : {}), ...extra };
}

export type ProblemOptions = { errors?: FieldErrors; headers?: Record<string, string>; extra?: Record<string, unknown> };

/** The problem as plain data, for a route served by more than one transport (lib/server/answer.ts). */
export function problemAnswer(status: number, detail: string, options: ProblemOptions = {}): PlainAnswer {
  return {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...options.headers },
    body: JSON.stringify(problemBody(status, detail, options.errors, options.extra)),
  };
}

export function problemJson(status: number, detail: string, options: ProblemOptions = {}): Response {
  return toResponse(problemAnswer(status, detail, options));
}
