/**
 * Stands in for Next's request scope (`next/headers`) so server actions can be called from
 * Vitest as the browser would call them: with a Host, an Origin and the session cookie.
 * Test files opt in with:
 *   vi.mock("next/headers", async () => (await import("@/tests/support/next-request")).nextHeaders);
 *   vi.mock("next/cache", async () => (await import("@/tests/support/next-request")).nextCache);
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readCookie } from "@/lib/auth/session";

const current = new AsyncLocalStorage<Headers>();

export function runInRequest<T>(headers: Headers, fn: () => Promise<T>): Promise<T> {
  return current.run(headers, fn);
}

function requestHeaders(): Headers {
  const headers = current.getStore();
  if (!headers) throw new Error("next/headers used outside runInRequest()");
  return headers;
}

export const nextHeaders = {
  headers: async () => requestHeaders(),
  cookies: async () => {
    const header = requestHeaders().get("cookie") ?? "";
    return {
      get: (name: string) => {
        const value = readCookie(header, name);
        return value === undefined ? undefined : { name, value };
      },
      toString: () => header,
    };
  },
};

/** Revalidation only matters to a running Next server; here it is a no-op. */
export const nextCache = { revalidatePath: () => {}, revalidateTag: () => {} };
