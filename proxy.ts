import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER, SESSION_COOKIE } from "@/lib/auth/cookie-name";
import { refuseForeignServerAction } from "@/lib/auth/origin";
import { readConfig } from "@/lib/config";
import { identityConnectSources } from "@/lib/identity/client-config";
import { newNonce, pageContentSecurityPolicy } from "@/lib/security/headers";

/** Pages a visitor without any session cookie is sent to sign in from (not /noc/connect). */
const SIGNED_IN_PAGES = /^\/(?:admin(?:\/.*)?|t(?:\/.*)?|tenant|noc)$/;

/**
 * Runs before every page (route handlers and static files excluded by the matcher):
 * - refuses a server action posted from another site with 403 and a reason;
 * - gives the page its strict Content-Security-Policy with a nonce made for this request:
 *   Next.js reads the nonce from the request's header and puts it on every script it renders;
 * - as a convenience, not a guard, sends a visitor with no session cookie at all straight to
 *   sign-in, coming back to the page asked for. Whether a session is valid, and what it may
 *   see, is decided by the pages' guards and by defineRoute/defineAction.
 */
export function proxy(request: NextRequest) {
  const config = readConfig();
  const refused = refuseForeignServerAction(request, config.publicUrl);
  if (refused) return refused;

  const { pathname, search } = request.nextUrl;
  if (SIGNED_IN_PAGES.test(pathname) && !request.cookies.has(SESSION_COOKIE)) {
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("returnTo", pathname + search);
    return NextResponse.redirect(signIn);
  }

  const policy = pageContentSecurityPolicy({
    nonce: newNonce(),
    connectSources: identityConnectSources(config),
    https: config.publicUrl.startsWith("https:"),
    development: process.env.NODE_ENV === "development",
  });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  headers.set(REQUEST_PATH_HEADER, pathname + search);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

// Every path but route handlers (their CSP is server.ts's deny-all; /metrics is one) and build assets.
export const config = { matcher: ["/((?!api/|metrics|_next/static|_next/image|icon.svg|favicon.ico).*)"] };
