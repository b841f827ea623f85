/**
 * Signed-in personas for authorization tests, and helpers that call route handlers and server
 * actions as a browser on the console's origin would (or, with `origin`, as another site would).
 * Uses the app's own database handle (`getDatabase()`) in a temporary DATA_DIR, seeded with the
 * demo tenants: contoso (alice, tenant admin) and fabrikam (bob, tenant admin).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { vi } from "vitest";
import { DISPLAY_SESSION_SECONDS, getSessionKey, sealSession, SESSION_COOKIE, USER_SESSION_SECONDS, type SessionClaims } from "@/lib/auth/session";
import { startSession } from "@/lib/commands/sessions";
import { readConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { nocDisplays, users } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import { DEMO_ACCOUNTS } from "@/lib/identity/demo-accounts";
import { getSecretsKey } from "@/lib/secrets";
import { runInRequest } from "./next-request";

export const CONSOLE_ORIGIN = "https://console.test";

export type Persona = "anonymous" | "admin" | "noc" | "alice" | "bob" | "display" | "revokedDisplay" | "expired" | "tampered";

/** Points the app at a fresh data folder and seeds the demo tenants. Call in beforeAll. */
export async function useTestApp() {
  vi.stubEnv("DATA_DIR", fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-authz-")));
  vi.stubEnv("PUBLIC_URL", CONSOLE_ORIGIN);
  const { db } = await getDatabase();
  await seedDemoData(db, { secretsKey: getSecretsKey(readConfig()) });
  return db;
}

async function userClaims(signInName: string): Promise<SessionClaims> {
  const account = DEMO_ACCOUNTS.find((a) => a.signInName === signInName)!;
  const { db } = await getDatabase();
  const [user] = await db
    .insert(users)
    .values({ subject: account.sub, signInName, displayName: account.name })
    .onConflictDoUpdate({ target: users.subject, set: { signInName } })
    .returning({ id: users.id });
  const sessionId = await startSession(db, { kind: "user", userId: user!.id }, USER_SESSION_SECONDS);
  return {
    kind: "user",
    sessionId,
    userId: user!.id,
    subject: account.sub,
    signInName,
    name: account.name,
    roles: account.roles.map((r) => (r === "Bridgehead.Admin" ? "admin" : "noc-viewer")),
  };
}

async function displayClaims(revoked: boolean): Promise<SessionClaims> {
  const { db } = await getDatabase();
  const [display] = await db
    .insert(nocDisplays)
    .values({ name: revoked ? "Revoked wall" : "Wall 1", tokenHash: crypto.randomUUID(), createdBy: "test", revokedAt: revoked ? new Date() : null })
    .returning();
  const sessionId = await startSession(db, { kind: "display", displayId: display!.id }, DISPLAY_SESSION_SECONDS);
  return { kind: "display", sessionId, displayId: display!.id, name: display!.name };
}

/** A signed-in session cookie for any user (a customer's user the demo accounts do not cover). */
export async function cookieForUser(signInName: string, subject = `s-${signInName}`): Promise<{ cookie: string; userId: string }> {
  const { db } = await getDatabase();
  const [user] = await db
    .insert(users)
    .values({ subject, signInName, displayName: signInName })
    .onConflictDoUpdate({ target: users.subject, set: { signInName } })
    .returning({ id: users.id });
  const sessionId = await startSession(db, { kind: "user", userId: user!.id }, USER_SESSION_SECONDS);
  const claims: SessionClaims = { kind: "user", sessionId, userId: user!.id, subject, signInName, name: signInName, roles: [] };
  return { cookie: `${SESSION_COOKIE}=${await sealSession(claims, getSessionKey(readConfig()), 3600)}`, userId: user!.id };
}

export async function cookieFor(persona: Persona): Promise<string | null> {
  const key = getSessionKey(readConfig());
  switch (persona) {
    case "anonymous":
      return null;
    case "admin":
      return `${SESSION_COOKIE}=${await sealSession(await userClaims("admin@bridgehead.example"), key, 3600)}`;
    case "noc":
      return `${SESSION_COOKIE}=${await sealSession(await userClaims("noc@bridgehead.example"), key, 3600)}`;
    case "alice":
      return `${SESSION_COOKIE}=${await sealSession(await userClaims("alice@contoso.example"), key, 3600)}`;
    case "bob":
      return `${SESSION_COOKIE}=${await sealSession(await userClaims("bob@fabrikam.example"), key, 3600)}`;
    case "display":
      return `${SESSION_COOKIE}=${await sealSession(await displayClaims(false), key, 3600)}`;
    case "revokedDisplay":
      return `${SESSION_COOKIE}=${await sealSession(await displayClaims(true), key, 3600)}`;
    case "expired": {
      vi.useFakeTimers({ now: Date.now() - 9 * 3600_000, toFake: ["Date"] });
      try {
        return `${SESSION_COOKIE}=${await sealSession(await userClaims("admin@bridgehead.example"), key, 8 * 3600)}`;
      } finally {
        vi.useRealTimers();
      }
    }
    case "tampered": {
      const token = await sealSession(await userClaims("alice@contoso.example"), key, 3600);
      const parts = token.split(".");
      const tag = parts[4]!;
      parts[4] = (tag[0] === "A" ? "B" : "A") + tag.slice(1);
      return `${SESSION_COOKIE}=${parts.join(".")}`;
    }
  }
}

function browserHeaders(cookie: string | null, origin: string | null): Headers {
  const headers = new Headers({ host: new URL(CONSOLE_ORIGIN).host });
  if (origin) headers.set("origin", origin);
  if (cookie) headers.set("cookie", cookie);
  return headers;
}

type RouteHandler = (request: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function callRoute(
  handler: RouteHandler,
  options: {
    as: Persona;
    method?: string;
    path?: string;
    params?: Record<string, string>;
    body?: unknown;
    origin?: string | null;
    /** Extra cookies, e.g. a sign-in nonce, sent beside the persona's session. */
    cookies?: string;
    /** Extra request headers, as the browser's own code would add them. */
    headers?: Record<string, string>;
  },
): Promise<Response> {
  const method = options.method ?? "GET";
  const origin = options.origin === undefined ? (method === "GET" ? null : CONSOLE_ORIGIN) : options.origin;
  const personaCookie = await cookieFor(options.as);
  const cookie = [personaCookie, options.cookies].filter(Boolean).join("; ") || null;
  const headers = browserHeaders(cookie, origin);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const request = new Request(new URL(options.path ?? "/", CONSOLE_ORIGIN), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

export async function callAction<TInput, TResult>(
  action: (input: TInput) => Promise<TResult>,
  input: TInput,
  options: { as: Persona; origin?: string | null },
): Promise<TResult> {
  const headers = browserHeaders(await cookieFor(options.as), options.origin === undefined ? CONSOLE_ORIGIN : options.origin);
  return runInRequest(headers, () => action(input));
}
