import type { AppConfig } from "@/lib/config";

/** The built-in provider's one client: the console's own single-page sign-in. */
export const BUILTIN_CLIENT_ID = "bridgehead-console";

export function builtinIssuer(config: AppConfig): string {
  return `${config.publicUrl}/oidc`;
}

/** What the browser's MSAL needs. Nothing here is secret: it is sent to every visitor. */
export type BrowserAuthConfig = {
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  protocolMode: "AAD" | "OIDC";
  redirectUri: string;
  bridgeUri: string;
  postLogoutRedirectUri: string;
};

export function browserAuthConfig(config: AppConfig): BrowserAuthConfig {
  const uris = {
    redirectUri: `${config.publicUrl}/signin`,
    bridgeUri: `${config.publicUrl}/auth/bridge`,
    postLogoutRedirectUri: `${config.publicUrl}/signin?signedOut=1`,
  };
  if (config.identity.mode === "entra") {
    return {
      clientId: config.identity.clientId,
      authority: `${config.identity.authority}/${config.identity.tenantId}`,
      knownAuthorities: [new URL(config.identity.authority).host],
      protocolMode: "AAD",
      ...uris,
    };
  }
  return {
    clientId: BUILTIN_CLIENT_ID,
    authority: builtinIssuer(config),
    knownAuthorities: [new URL(config.publicUrl).host],
    protocolMode: "OIDC",
    ...uris,
  };
}

/**
 * Origins the browser's MSAL fetches from besides the console (its metadata and token
 * endpoints): none for the built-in provider, which lives on the console's origin.
 */
export function identityConnectSources(config: AppConfig): string[] {
  const authority = new URL(browserAuthConfig(config).authority).origin;
  return authority === new URL(config.publicUrl).origin ? [] : [authority];
}
