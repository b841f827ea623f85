/** `__Host-`: the browser only accepts it Secure, for this exact host, on path /. */
export const SESSION_COOKIE = "__Host-bh_session";

/** Set by proxy.ts on every page request: the path and query asked for, for after sign-in. */
export const REQUEST_PATH_HEADER = "x-bridgehead-path";

/**
 * Sent by the browser's polling reads (lib/client/queries.ts): a refresh the page makes on its
 * own is not the person at the keyboard, so it does not keep an idle session alive.
 */
export const BACKGROUND_REQUEST_HEADER = "x-bridgehead-background";

/** The nonce of a sign-in in progress: binds the ID token to the browser that started it. */
export const NONCE_COOKIE = "__Host-bh_nonce";
