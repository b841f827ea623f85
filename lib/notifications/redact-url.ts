/**
 * A webhook URL as people may see it (lists, API answers, the audit trail): many receivers put
 * their credential in the URL itself (Slack's /services/T…/B…/<secret>, Discord's
 * /webhooks/<id>/<token>, `?token=`, `?code=` of Azure Functions, user:password@), so whoever
 * reads the list could post as the console. Shown: scheme, host, port and the path's plain words;
 * every query value, any user-info, and each path segment or query key that looks like a token are
 * replaced. A short token (under 16 characters) in the path still shows: it cannot be told from a word.
 */

export const REDACTED = "•••";

/**
 * Words a route is written in: lowercase words, or Capitalised ones of three letters or more run
 * together (IncomingWebhook), joined by - _ or . A random token of letters only (Slack's secret
 * need not hold a digit) almost never reads like this, so length alone does not let it through.
 */
const ROUTE_WORDS = /^(?:[a-z]+|(?:[A-Z][a-z]{2,})+)(?:[-_.](?:[a-z]+|(?:[A-Z][a-z]{2,})+))*$/;

/** A path segment or query key that may be a credential: long, and not written in route words. */
function looksLikeToken(segment: string): boolean {
  const decoded = safeDecode(segment);
  if (decoded.length < 16) return false;
  return decoded.length >= 32 || !ROUTE_WORDS.test(decoded);
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
  // A key with no value may be the credential itself (`?<token>`); one that looks like a token is hidden too.
  const query = [...url.searchParams.entries()]
    .map(([key, value]) => (value === "" ? REDACTED : `${looksLikeToken(key) ? REDACTED : encodeURIComponent(key)}=${REDACTED}`))
    .join("&");
  return `${url.protocol}//${userInfo}${url.host}${path}${query ? `?${query}` : ""}`;
}
