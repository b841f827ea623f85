/**
 * The console's response security headers, as plain text builders. Three policies:
 *
 * - every response (pages, route handlers, errors, the /oidc provider, static files) carries the
 *   baseline below, set by server.ts before anything else answers;
 * - a page of the console carries a strict CSP whose script and style sources are a nonce made
 *   for that one request (proxy.ts), which Next.js puts on every script and style it renders;
 * - anything that is not a console page (JSON, downloads, files) carries a CSP that allows
 *   nothing at all: such a response has no business running script if a browser renders it.
 *
 * The built-in identity provider's pages are plain strings, so they are allowed by hash.
 */
import { createHash } from "node:crypto";

/** `frame-ancestors 'none'` in a CSP and DENY here: no other site may frame any of it. */
export const FRAME_OPTIONS = "DENY";

/**
 * No Referer leaves for another site: the console's URLs name tenants, tunnels and displays.
 * Not `no-referrer`: under it browsers send `Origin: null` on same-origin form posts and
 * fetches, and the console's Origin checks (server actions, the sign-in form) would refuse them.
 */
export const REFERRER_POLICY = "same-origin";

/**
 * Features the console never uses, turned off for it and for anything it could ever embed.
 * Only features Chromium knows, so the console logs no "unrecognized feature" noise.
 */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "bluetooth=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "hid=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  "payment=()",
  "publickey-credentials-get=()",
  "serial=()",
  "usb=()",
  "browsing-topics=()",
].join(", ");

/** One year; browsers honour it only over HTTPS with a valid certificate. */
export const HSTS = "max-age=31536000; includeSubDomains";

/** For everything that is not a console page: nothing may load, run or frame it. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export type HeaderList = [name: string, value: string][];

/**
 * The headers every response carries. HSTS only when users reach the console over HTTPS (its
 * own TLS, or a TLS-terminating proxy in front of it): a browser ignores it over plain HTTP.
 */
export function baselineSecurityHeaders(options: { https: boolean }): HeaderList {
  const headers: HeaderList = [
    ["content-security-policy", NON_PAGE_CSP],
    ["x-frame-options", FRAME_OPTIONS],
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", REFERRER_POLICY],
    ["permissions-policy", PERMISSIONS_POLICY],
  ];
  if (options.https) headers.push(["strict-transport-security", HSTS]);
  return headers;
}

/** 128 random bits, base64: a fresh one for every page response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64");
}

export type PagePolicyOptions = {
  nonce: string;
  /** Origins the page's scripts talk to besides the console (Entra's sign-in endpoints). */
  connectSources?: string[];
  /** Over HTTPS, a stray http: subresource is upgraded rather than loaded in the clear. */
  https: boolean;
  /** Next's development server needs eval and its own injected styles. */
  development?: boolean;
};

/**
 * The strict CSP of a console page. Scripts: only those carrying this response's nonce, and
 * what they load ('strict-dynamic'), so an injected <script> or event handler never runs.
 * Styles: the console's stylesheets and nonce'd <style> elements; style *attributes* are
 * allowed because charts and tiles set their sizes and colours that way and an attribute
 * cannot carry a nonce; a style attribute cannot run script.
 */
export function pageContentSecurityPolicy(options: PagePolicyOptions): string {
  const nonce = `'nonce-${options.nonce}'`;
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", nonce, "'strict-dynamic'", ...(options.development ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", options.development ? "'unsafe-inline'" : nonce],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...(options.connectSources ?? [])],
    ["frame-src", "'none'"],
    ["worker-src", "'self'"],
    ["manifest-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
  ];
  if (options.https) directives.push(["upgrade-insecure-requests"]);
  return directives.map((directive) => directive.join(" ")).join("; ");
}

/** `'sha256-…'` of an inline script's or style's exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * For the built-in identity provider's server-rendered pages: their one stylesheet and one
 * script by hash; forms post only to the console's own origin (the provider lives there).
 */
export function hashedPageContentSecurityPolicy(options: { styles: string[]; scripts: string[]; https: boolean }): string {
  const list = (texts: string[]) => (texts.length > 0 ? texts.map(cspHash).join(" ") : "'none'");
  const directives = [
    "default-src 'none'",
    `style-src ${list(options.styles)}`,
    `script-src ${list(options.scripts)}`,
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ];
  if (options.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}
