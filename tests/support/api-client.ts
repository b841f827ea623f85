/**
 * Calls the automation API's route handlers as a script would: a bearer token, JSON in and out,
 * no cookies and no Origin. Tokens are made through the Settings page's own server action.
 */
import { createApiToken } from "@/lib/actions/api-tokens/create-api-token";
import { callAction, CONSOLE_ORIGIN } from "./personas";

export async function callApi<TParams>(
  handler: (request: Request, segment: { params: Promise<TParams> }) => Promise<Response>,
  options: { token: string | null; method?: string; path: string; params?: TParams; body?: unknown; headers?: Record<string, string> },
): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  const request = new Request(new URL(options.path, CONSOLE_ORIGIN), {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return handler(request, { params: Promise.resolve(options.params ?? ({} as TParams)) });
}

/** A token as an admin makes it under Admin → Settings; returns the secret shown once. */
export async function makeApiToken(input: { name: string; scope: "read" | "write"; tenantSlug?: string; expiresInDays?: number }): Promise<{ id: string; token: string }> {
  const result = await callAction(createApiToken, { expiresInDays: 30, ...input }, { as: "admin" });
  if (!result.ok) throw new Error(`createApiToken failed: ${result.message} ${JSON.stringify(result.errors)}`);
  return result.data;
}
