/**
 * What a live view says when its data cannot be loaded: the cause and what to do, rather than
 * "Error". Pure; reads the status of an `HttpError` (lib/client/queries.ts) without importing it,
 * so it stays testable without a browser.
 */
export function describeLoadError(error: unknown, what: string): string {
  const status = typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : null;
  if (status === 401) return `Your session has ended, so ${what} cannot be loaded. Sign in again.`;
  if (status === 403 || status === 404) return `${capitalise(what)} is no longer available to this account: it was removed, or access was withdrawn. Reload the page.`;
  if (status === 400) return `The console refused the request for ${what}. Reload the page.`;
  if (status !== null) return `The console answered ${status} for ${what}; it tries again on its own every 30 seconds.`;
  return `The console cannot be reached for ${what}; it tries again on its own every 30 seconds.`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
