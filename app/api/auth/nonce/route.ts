import { randomBytes } from "node:crypto";
import { defineRoute } from "@/lib/auth/guards";
import { NONCE_COOKIE } from "@/lib/auth/cookie-name";

export const dynamic = "force-dynamic";

/** Ten minutes to finish signing in, the same window the ID token itself gets. */
const NONCE_SECONDS = 600;

/**
 * Starts a sign-in: a fresh nonce for MSAL to send to the identity provider, kept by the server
 * side in an httpOnly cookie, so the ID token that comes back can be tied to this browser.
 */
export const POST = defineRoute({ access: "anonymous" }, async () => {
  const nonce = randomBytes(24).toString("base64url");
  return Response.json(
    { nonce },
    {
      headers: {
        "set-cookie": `${NONCE_COOKIE}=${nonce}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${NONCE_SECONDS}`,
        "cache-control": "no-store",
      },
    },
  );
});
