/**
 * The built-in OpenID Connect provider (oidc-provider) for the embedded mode, mounted at /oidc on
 * the console's own HTTPS origin. The browser signs in through the same MSAL code as with Entra
 * ID: authorization code + PKCE, a public client, an ID token carrying `roles`, `oid` and
 * `preferred_username` as Entra's would.
 */
import "server-only";
import type http from "node:http";
import { createHash } from "node:crypto";
import type { Configuration, KoaContextWithOIDC } from "oidc-provider";
import type { AppConfig } from "@/lib/config";
import { BUILTIN_CLIENT_ID, browserAuthConfig, builtinIssuer } from "./client-config";
import { DEMO_ACCOUNTS, findDemoAccount, verifyDemoPassword } from "./demo-accounts";
import { hashedPageContentSecurityPolicy } from "@/lib/security/headers";
import { getBuiltinSigningKey } from "./signing-key";

export const OIDC_PREFIX = "/oidc";

/** Password guesses per client address per minute: enough for people, too few for a script. */
const loginAttempts = fixedWindowLimiter(20, 60_000);

function fixedWindowLimiter(limit: number, windowMs: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    allow(key: string, now = Date.now()): boolean {
      const current = windows.get(key);
      if (!current || now - current.start >= windowMs) {
        if (windows.size > 10_000) windows.clear();
        windows.set(key, { start: now, count: 1 });
        return true;
      }
      current.count++;
      return current.count <= limit;
    },
  };
}
const SCOPES = "openid profile email offline_access";

export type BuiltinProvider = { handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> };

export async function createBuiltinProvider(config: AppConfig, cookieSecret: Uint8Array): Promise<BuiltinProvider> {
  const { default: Provider } = await import("oidc-provider");
  const auth = browserAuthConfig(config);
  const jwk = await getBuiltinSigningKey(config);

  const configuration: Configuration = {
    clients: [
      {
        client_id: BUILTIN_CLIENT_ID,
        client_name: "Bridgehead console",
        application_type: "web",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: [auth.redirectUri, auth.bridgeUri],
        post_logout_redirect_uris: [auth.postLogoutRedirectUri],
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [createHash("sha256").update("bridgehead-oidc-cookies").update(cookieSecret).digest("base64url")] },
    // Entra-shaped claims, so the server reads both providers' tokens the same way.
    claims: { openid: ["sub"], profile: ["name", "preferred_username", "oid", "roles"], email: ["email"] },
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = findDemoAccount(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          oid: sub,
          name: account.name,
          preferred_username: account.signInName,
          email: account.signInName,
          roles: account.roles,
        }),
      };
    },
    // First-party client: consent is implied, so a grant for the console's scopes is made on the spot.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return undefined;
      const existing = ctx.oidc.session?.grantIdFor(clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope(SCOPES);
      grant.addOIDCClaims(["name", "preferred_username", "oid", "roles", "email"]);
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    clientBasedCORS: (_ctx, origin) => origin === config.publicUrl,
    interactions: { url: (_ctx, interaction) => `${OIDC_PREFIX}/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // Signing out of the console signs out of the provider too, without a second question,
        // when the request proves it comes from the console (an id_token_hint the provider has
        // already validated). Anyone else's logout link gets the confirmation button.
        logoutSource: async (ctx, form) => {
          const fromConsole = Boolean(ctx.oidc.entities.IdTokenHint);
          const confirm = `<button form="op.logoutForm" name="logout" value="yes">Sign out of Bridgehead</button>`;
          ctx.body = page(
            "Signing out",
            fromConsole
              ? `${form}<p>Signing you out…</p><noscript>${confirm}</noscript>
                 <script>${AUTO_LOGOUT_SCRIPT}</script>`
              : `${form}<h1>Sign out?</h1>${confirm}`,
          );
        },
        // Reached only without a post-logout URI (someone else's link); the provider's own page
        // would pull a web font from another site and an unhashed stylesheet.
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page("Signed out", `<h1>Signed out</h1><p><a href="/signin">Sign in again</a></p>`);
        },
      },
    },
    ttl: { IdToken: 3600, AccessToken: 3600, Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600, RefreshToken: 8 * 3600 },
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = page("Sign-in error", `<p>${escapeHtml(String(out.error_description ?? out.error))}</p><p><a href="/signin">Start again</a></p>`);
    },
  };

  // Not behind a proxy: the built-in provider only runs with the console's own TLS, so
  // X-Forwarded-* headers are not trusted.
  const provider = new Provider(builtinIssuer(config), configuration);
  const callback = provider.callback();

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? "/", config.publicUrl);
      const interaction = /^\/oidc\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
      if (interaction) return handleInteraction(req, res, interaction[1]!, Boolean(interaction[2]));
      // Mounted under a prefix: the provider reads its mount path from originalUrl minus url.
      Object.assign(req, { originalUrl: req.url, url: (req.url ?? "/").slice(OIDC_PREFIX.length) || "/" });
      callback(req, res);
    },
  };

  async function handleInteraction(req: http.IncomingMessage, res: http.ServerResponse, uid: string, submitted: boolean) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
      res.end(page("Sign-in expired", `<p>This sign-in has expired or was already used.</p><p><a href="/signin">Start again</a></p>`));
      return;
    }
    if (details.uid !== uid) {
      res.writeHead(400).end();
      return;
    }
    if (!submitted || req.method !== "POST") {
      sendLoginPage(res, uid);
      return;
    }
    if (req.headers.origin !== config.publicUrl) {
      res.writeHead(403, { "content-type": "text/plain" }).end("Refused: the form was posted from another site.");
      return;
    }
    const address = req.socket.remoteAddress ?? "unknown";
    if (!loginAttempts.allow(address)) {
      res.writeHead(429, { "content-type": "text/plain", "retry-after": "60" }).end("Too many sign-in attempts. Wait a minute.");
      return;
    }
    const form = new URLSearchParams(await readBody(req, 8 * 1024));
    const account = await verifyDemoPassword(form.get("username") ?? "", form.get("password") ?? "");
    if (!account) {
      sendLoginPage(res, uid, form.get("username") ?? "", "That sign-in name and password do not match a demo account.");
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
}

function sendLoginPage(res: http.ServerResponse, uid: string, username = "", error?: string) {
  res.writeHead(error ? 401 : 200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  const accounts = DEMO_ACCOUNTS.map(
    (a) => `<li><code>${escapeHtml(a.signInName)}</code> — ${escapeHtml(a.roles.length ? a.roles.join(", ") : "tenant user")}</li>`,
  ).join("");
  res.end(
    page(
      "Sign in",
      `<h1>Sign in to Bridgehead</h1>
      ${error ? `<p role="alert" class="error" id="login-error">${escapeHtml(error)}</p>` : ""}
      <form method="post" action="${OIDC_PREFIX}/interaction/${escapeHtml(uid)}/login">
        <label for="username">Sign-in name</label>
        <input id="username" name="username" type="email" autocomplete="username" required autofocus value="${escapeHtml(username)}"
          ${error ? 'aria-describedby="login-error"' : ""}>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
      </form>
      <details><summary>Demo accounts (passwords in the README)</summary><ul>${accounts}</ul></details>`,
    ),
  );
}

/** The pages' one stylesheet and one script, allowed by hash in their CSP (lib/security/headers.ts). */
const PAGE_STYLE = `
body{font-family:ui-sans-serif,system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border:1px solid #e2e8f0;border-radius:.5rem;padding:2rem;width:min(24rem,90vw)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;font-size:.9rem;margin-top:.75rem}
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #94a3b8;border-radius:.375rem;font-size:1rem}
button{margin-top:1.25rem;width:100%;padding:.6rem;background:#0369a1;color:#fff;border:0;border-radius:.375rem;font-size:1rem;cursor:pointer}
button:focus-visible,input:focus-visible{outline:2px solid #0369a1;outline-offset:2px}
.error{color:#b91c1c;background:#fef2f2;padding:.5rem;border-radius:.375rem}details{margin-top:1.5rem;font-size:.85rem;color:#475569}
`;

/** Submits the provider's logout form at once when the console itself asked to sign out. */
const AUTO_LOGOUT_SCRIPT = `var f=document.getElementById("op.logoutForm");var i=document.createElement("input");i.type="hidden";i.name="logout";i.value="yes";f.appendChild(i);f.submit();`;

export function builtinProviderContentSecurityPolicy(config: Pick<AppConfig, "publicUrl">): string {
  return hashedPageContentSecurityPolicy({ styles: [PAGE_STYLE], scripts: [AUTO_LOGOUT_SCRIPT], https: config.publicUrl.startsWith("https:") });
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Bridgehead</title>
<style>${PAGE_STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > limit) {
        reject(new Error("request body too large"));
        req.destroy();
      }
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
