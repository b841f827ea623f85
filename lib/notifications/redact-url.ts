/**
 * A webhook URL as people may see it (lists, API answers, the audit trail): many receivers put
 * their credential in the URL itself (Slack's /services/T…/B…/<secret>, Discord's
 * /webhooks/<id>/<token>, `?token=`, `?code=` of Azure Functions, user:password@), so whoever
 * reads the list could post as the console. Shown: scheme, host, port and the path's plain words;
 * every query value, any user-info and each path segment that looks like a token are replaced.
 */

export const REDACTED = "•••";

/** A path segment that may be a credential: long, and not a plain word (digits, or very long). */
function looksLikeToken(segment: string): boolean {
  const decoded = safeDecode(segment);
  if (decoded.length < 16) return false;
  return /\d/.test(decoded) || decoded.length >= 32 || !/^[a-z-]+$/i.test(decoded);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL we can take apart: show nothing of it rather than all of it.
    return REDACTED;
  }
  const userInfo = url.username || url.password ? `${REDACTED}@` : "";
  const path = url.pathname
    .split("/")
    .map((segment) => (looksLikeToken(segment) ? REDACTED : segment))
    .join("/");
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=${REDACTED}`).join("&");
  return `${url.protocol}//${userInfo}${url.host}${path}${query ? `?${query}` : ""}`;
}
