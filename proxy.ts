import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER, SESSION_COOKIE } from "@/lib/auth/cookie-name";

/**
 * A convenience, not a guard: a visitor with no session cookie at all goes straight to sign-in,
 * coming back to the exact page asked for. Whether a session is valid, and what it may see, is
 * decided by the pages' guards and by defineRoute/defineAction.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (!request.cookies.has(SESSION_COOKIE)) {
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("returnTo", pathname + search);
    return NextResponse.redirect(signIn);
  }
  const headers = new Headers(request.headers);
  headers.set(REQUEST_PATH_HEADER, pathname + search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/admin", "/admin/:path*", "/t/:path*", "/tenant", "/noc"] };
