"use client";

import { PublicClientApplication } from "@azure/msal-browser";
import type { BrowserAuthConfig } from "@/lib/identity/client-config";

/**
 * One MSAL client per page load, for the built-in provider and Entra alike. Every flow returns
 * through the redirect bridge page (/auth/bridge), as MSAL v5 requires for popups and silent
 * renewal and uses for redirects too.
 */
let instance: PublicClientApplication | undefined;

export function getMsalInstance(auth: BrowserAuthConfig): PublicClientApplication {
  instance ??= new PublicClientApplication({
    auth: {
      clientId: auth.clientId,
      authority: auth.authority,
      knownAuthorities: auth.knownAuthorities,
      redirectUri: auth.bridgeUri,
      postLogoutRedirectUri: auth.postLogoutRedirectUri,
    },
    cache: { cacheLocation: "sessionStorage" },
    system: { protocolMode: auth.protocolMode },
  });
  return instance;
}

export const SIGN_IN_SCOPES = ["openid", "profile", "email"];
