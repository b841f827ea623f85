/**
 * The two doors into the console's data: `defineRoute` for route handlers and `defineAction`
 * for server actions. Each authenticates the request, refuses a foreign Origin on anything that
 * changes state, resolves the tenant a request touches from the database (never from what the
 * caller claims), and checks the permission before the handler runs. A server action is a
 * public POST endpoint, so page guards alone would not do.
 */
import "server-only";
import { cookies, headers } from "next/headers";
import { z } from "zod";
import { readConfig, type AppConfig } from "@/lib/config";
import { getDatabase, type Database } from "@/lib/db/client";
import { isStatementCancelled } from "@/lib/db/errors";
import { recordAudit } from "@/lib/audit";
import { toResponse } from "@/lib/server/answer";
import { problemJson } from "@/lib/server/problem";
import { processSlot } from "@/lib/server/process-slot";
import { logStatementCancelled, routeFailureAnswer, STATEMENT_CANCELLED_MESSAGE } from "@/lib/server/route-failure";
import { fieldErrors } from "@/lib/validation/field-errors";
import { TokenBuckets } from "@/lib/telemetry/rate-limit";
import { AGENT_TOKEN_REFUSAL, authenticateAgent, type AgentPrincipal } from "./agent";
import { API_TOKEN_REFUSALS, authenticateApiToken, bearerTokenOf } from "./api-tokens";
import { APP_TOKEN_REFUSALS, authenticateEntraApp, looksLikeJwt } from "./entra-apps";
import { BACKGROUND_REQUEST_HEADER } from "./cookie-name";
import { FOREIGN_ORIGIN_MESSAGE, isForeignStateChange } from "./origin";
import { couldHoldPermission, hasPermission, isTenantPermission, type Permission, type Principal, type TokenPrincipal } from "./permissions";
import { authenticateSession, type SessionPolicy } from "./principal";
import { authenticateScraper } from "./scraper";
import { getSessionKey, openSession, readCookie, SESSION_COOKIE } from "./session";

/**
 * `public`: anyone, signed in or not (the principal is resolved when there is one).
 * `anonymous`: anyone, and the session is not even read: for probes that must answer when the
 * database does not.
 * `agent`: a telemetry agent with its endpoint's bearer token. No cookies are read and no Origin
 * is required: agents are not browsers, and a token in a header cannot be ridden by another site.
 * `scraper`: a Prometheus server with a scrape token (GET /metrics); like `agent`, no cookies.
 */
export type Access = Permission | "public" | "anonymous" | "agent" | "scraper";

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_SCOPE_MESSAGE = "This API token's scope does not reach this operation: it needs a write token, or one not limited to a tenant.";
const APP_ROLE_MESSAGE = "This app's role does not reach this operation: it needs the app role Bridgehead.Write.";

const MESSAGES = {
  401: "Sign in to continue: your session is missing or has expired.",
  403: "Your account is not allowed to do this.",
  404: "Not found.",
  foreignOrigin: FOREIGN_ORIGIN_MESSAGE,
} as const;

type RequestFacts = { method: string; cookieHeader: string | null; origin: string | null; background: boolean };

function requestFacts(method: string, headers: Headers, cookieHeader: string | null): RequestFacts {
  const upper = method.toUpperCase();
  // Only a read can be background: anything that changes state was someone's doing.
  const background = (upper === "GET" || upper === "HEAD") && headers.get(BACKGROUND_REQUEST_HEADER) === "1";
  return { method: upper, cookieHeader, origin: headers.get("origin"), background };
}

/** A state-changing request must come from a page of this console (lib/auth/origin.ts). */
function assertSameOrigin(facts: RequestFacts) {
  if (isForeignStateChange(facts.method, facts.origin, readConfig().publicUrl)) {
    throw new AuthError(403, MESSAGES.foreignOrigin);
  }
}

/** Origin check, then the session: a missing or invalid one is null, not an error. */
async function authenticate(facts: RequestFacts): Promise<{ principal: Principal | null; db: Database }> {
  assertSameOrigin(facts);
  const { db } = await getDatabase();
  const config = readConfig();
  const claims = await openSession(readCookie(facts.cookieHeader, SESSION_COOKIE), getSessionKey(config));
  return { principal: claims ? await authenticateSession(db, claims, sessionPolicy(config, facts.background)) : null, db };
}

function sessionPolicy(config: AppConfig, background = false): SessionPolicy {
  return { now: new Date(), idleMs: config.sessionIdleMinutes * 60_000, background };
}

/**
 * Checks `access` for a signed-in principal. For tenant-scoped access the tenant is looked up
 * from the resource the request names; another tenant's resource is reported as missing (404),
 * so its existence is not revealed.
 */
async function checkAccess<TInput>(
  principal: Principal | null,
  db: Database,
  access: Permission,
  findTenant: ((input: TInput, db: Database) => Promise<string | null>) | undefined,
  input: TInput,
): Promise<{ principal: Principal; tenantId: string | null }> {
  if (!principal) throw new AuthError(401, MESSAGES[401]);
  const isTenantScoped = isTenantPermission(access);
  if (isTenantScoped !== Boolean(findTenant)) {
    throw new Error(`A ${access} guard needs a tenant resolver, and only a tenant-scoped guard may have one.`);
  }
  const tenantId = findTenant ? await findTenant(input, db) : null;
  if (!hasPermission(principal, access, tenantId)) {
    // A token that reaches this tenant but lacks the scope learns nothing new from a 403; one
    // that does not reach it is told nothing exists, as a person would be.
    const visibleToToken = principal.kind === "token" && hasPermission(principal, "tenant:read", tenantId);
    throw isTenantScoped && !visibleToToken ? new AuthError(404, MESSAGES[404]) : new AuthError(403, principal.kind !== "token" ? MESSAGES[403] : principal.source === "entra-app" ? APP_ROLE_MESSAGE : TOKEN_SCOPE_MESSAGE);
  }
  return { principal, tenantId };
}

// --- Route handlers --------------------------------------------------------------------------

export type RouteContext<TParams, TAccess extends Access> = {
  db: TAccess extends "anonymous" ? null : Database;
  principal: TAccess extends "public" ? Principal | null : TAccess extends "agent" | "anonymous" | "scraper" ? null : Principal;
  agent: TAccess extends "agent" ? AgentPrincipal : null;
  tenantId: string | null;
  params: TParams;
};

const GUARDED = Symbol.for("bridgehead.guarded");

export function isGuarded(fn: unknown): boolean {
  return typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[GUARDED] === true;
}

export function defineRoute<TParams = Record<string, never>, TAccess extends Access = Access>(
  options: { access: TAccess; tenant?: (params: TParams, db: Database) => Promise<string | null> },
  handler: (request: Request, context: RouteContext<TParams, TAccess>) => Promise<Response>,
) {
  const route = async (request: Request, segment?: { params?: Promise<TParams> }): Promise<Response> => {
    try {
      const params = ((await segment?.params) ?? {}) as TParams;
      const facts = requestFacts(request.method, request.headers, request.headers.get("cookie"));
      if (options.access === "anonymous") {
        assertSameOrigin(facts);
        return await handler(request, { db: null, principal: null, agent: null, tenantId: null, params } as RouteContext<TParams, TAccess>);
      }
      if (options.access === "agent") {
        const { db } = await getDatabase();
        const agent = await authenticateAgent(request.headers.get("authorization"), db);
        if (!agent) return toResponse(AGENT_TOKEN_REFUSAL);
        return await handler(request, { db, principal: null, agent, tenantId: agent.tenantId, params } as RouteContext<TParams, TAccess>);
      }
      if (options.access === "scraper") {
        const { db } = await getDatabase();
        if (!(await authenticateScraper(request.headers.get("authorization"), db))) {
          return Response.json(
            { error: "Send a scrape token as 'Authorization: Bearer bhm_…' (an admin makes one under Settings → Metrics). This one is missing, unknown or revoked." },
            { status: 401, headers: { "www-authenticate": 'Bearer realm="bridgehead-metrics"', "cache-control": "no-store" } },
          );
        }
        return await handler(request, { db, principal: null, agent: null, tenantId: null, params } as RouteContext<TParams, TAccess>);
      }
      const bearer = bearerTokenOf(request.headers.get("authorization"));
      if (bearer !== null) return await routeWithToken(bearer, request, params, options, handler);
      const { principal, db } = await authenticate(facts);
      if (options.access === "public") {
        return await handler(request, { db, principal, agent: null, tenantId: null, params } as RouteContext<TParams, TAccess>);
      }
      const checked = await checkAccess(principal, db, options.access as Permission, options.tenant, params);
      return await handler(request, { db, principal: checked.principal, agent: null, tenantId: checked.tenantId, params } as RouteContext<TParams, TAccess>);
    } catch (error) {
      if (error instanceof AuthError) {
        return Response.json({ error: error.message }, { status: error.status, headers: { "cache-control": "no-store" } });
      }
      // 503 when the database is behind, else 500: shared with the telemetry fast path in front of Next.
      return toResponse(routeFailureAnswer(error));
    }
  };
  Object.defineProperty(route, GUARDED, { value: true });
  return route;
}

/** Scripts may burst (a sync catching up), not flood: 60 requests, then 10 a second, per token. */
const perToken = processSlot<TokenBuckets>("api-token-rate-limits").getOrCreate(() => new TokenBuckets(60, 10));

/**
 * A request with `Authorization: Bearer …`: an API token, never a cookie (a token in a header
 * cannot be ridden by another site, so no Origin is required). Unknown, expired and revoked
 * tokens get 401; a scope that does not reach the route 403, another tenant's resource 404, as
 * for people. Every call a token makes is audited under the token's name, refusals included.
 */
async function routeWithToken<TParams, TAccess extends Access>(
  bearer: string,
  request: Request,
  params: TParams,
  options: { access: TAccess; tenant?: (params: TParams, db: Database) => Promise<string | null> },
  handler: (request: Request, context: RouteContext<TParams, TAccess>) => Promise<Response>,
): Promise<Response> {
  const { db } = await getDatabase();
  const checked = await authenticateBearer(db, bearer);
  if (!checked.ok) {
    const challenge = checked.status === 401 ? `Bearer realm="bridgehead", error="invalid_token"` : `Bearer realm="bridgehead", error="insufficient_scope"`;
    return problemJson(checked.status, checked.detail, { headers: { "www-authenticate": challenge } });
  }
  const principal = checked.principal;
  let tenantId: string | null = null;
  let response: Response;
  const limited = perToken.take(principal.tokenId);
  if (!limited.ok) {
    response = problemJson(429, "Too many requests with this token; slow down and retry after the given seconds.", { headers: { "retry-after": String(limited.retryAfterSeconds) } });
  } else if (options.access === "agent" || options.access === "scraper") {
    response = problemJson(401, "This endpoint takes its own token (an agent's agt_… or a scraper's bhm_…), not an API token.");
  } else {
    try {
      if (options.access === "public" || options.access === "anonymous") {
        response = await handler(request, { db, principal, agent: null, tenantId: null, params } as RouteContext<TParams, TAccess>);
      } else {
        const allowed = await checkAccess(principal, db, options.access as Permission, options.tenant, params);
        tenantId = allowed.tenantId;
        response = await handler(request, { db, principal, agent: null, tenantId, params } as RouteContext<TParams, TAccess>);
      }
    } catch (error) {
      // Answered here rather than by the outer catch, so the failed call is audited like any other:
      // as every route's failure is (the database behind 503, a client gone mid-body noted, else 500 logged).
      if (error instanceof AuthError) response = problemJson(error.status, error.message);
      else response = toResponse(routeFailureAnswer(error));
    }
  }
  const url = new URL(request.url);
  const app = principal.source === "entra-app";
  await recordAudit(db, principal, {
    action: "api.call",
    entityType: app ? "entra-app" : "api-token",
    entityId: app ? principal.name : principal.tokenId,
    // Only a tenant the token reached: a refused probe of another tenant is not that tenant's history.
    tenantId: response.status < 400 ? tenantId : null,
    after: { method: request.method.toUpperCase(), path: url.pathname, status: response.status, ...(checked.appName ? { appName: checked.appName } : {}) },
  });
  return response;
}

type BearerCheck = { ok: true; principal: TokenPrincipal; appName?: string | null } | { ok: false; status: 401 | 403; detail: string };

/**
 * An API token (`bh_…`), or in Entra mode a JWT: an app's client-credentials access token. A
 * JWT in built-in mode, or anything else, is checked as an API token and so refused as unknown.
 */
async function authenticateBearer(db: Database, bearer: string): Promise<BearerCheck> {
  const { identity } = readConfig();
  if (identity.mode === "entra" && looksLikeJwt(bearer)) {
    const app = await authenticateEntraApp(identity, bearer);
    return app.ok ? app : { ok: false, ...APP_TOKEN_REFUSALS[app.reason] };
  }
  const token = await authenticateApiToken(db, bearer);
  return token.ok ? token : { ok: false, status: 401, detail: API_TOKEN_REFUSALS[token.reason] };
}

// --- Server actions --------------------------------------------------------------------------

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; status: 400 | 401 | 403 | 404 | 409 | 503; message: string; errors?: Partial<Record<string, string[]>> };

export type ActionContext = { db: Database; principal: Principal; tenantId: string | null };

/**
 * Form fields arrive as FormData; programmatic calls pass objects. Dotted names build nested
 * values (`contacts.0.email` → contacts[0].email); Next's own `$ACTION…` fields are dropped.
 */
export function toPlainInput(input: unknown): unknown {
  if (!(input instanceof FormData)) return input;
  const root: Record<string, unknown> = {};
  for (const [name, value] of input.entries()) {
    if (name.startsWith("$ACTION")) continue;
    const path = name.split(".");
    if (path.some((key) => key === "__proto__" || key === "constructor" || key === "prototype")) continue;
    let node: Record<string, unknown> = root;
    path.forEach((key, index) => {
      if (index === path.length - 1) {
        node[key] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[index + 1]!);
      node[key] ??= nextIsIndex ? [] : {};
      node = node[key] as Record<string, unknown>;
    });
  }
  return compactArrays(root);
}

/** Sparse arrays from skipped indexes (a removed contact row) become dense. */
function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(compactArrays);
  if (value && typeof value === "object" && !(value instanceof Blob)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactArrays(v)]));
  }
  return value;
}

export function defineAction<TSchema extends z.ZodType, TResult = undefined>(
  options: {
    input: TSchema;
    access: Permission;
    tenant?: (input: z.infer<TSchema>, db: Database) => Promise<string | null>;
  },
  handler: (input: z.infer<TSchema>, context: ActionContext) => Promise<ActionResult<TResult>>,
) {
  const action = async (input: unknown): Promise<ActionResult<TResult>> => {
    try {
      const facts = requestFacts("POST", await headers(), (await cookies()).toString());
      const { principal, db } = await authenticate(facts);
      // Callers who could never be allowed learn nothing, not even which fields are wrong:
      // anonymous ones get 401, the others the refusal they would get for a valid input.
      if (!principal) throw new AuthError(401, MESSAGES[401]);
      if (!couldHoldPermission(principal, options.access)) {
        throw isTenantPermission(options.access) ? new AuthError(404, MESSAGES[404]) : new AuthError(403, MESSAGES[403]);
      }
      const parsed = options.input.safeParse(toPlainInput(input));
      if (!parsed.success) {
        return { ok: false, status: 400, message: "Some fields need attention.", errors: fieldErrors(parsed.error) };
      }
      const checked = await checkAccess(principal, db, options.access, options.tenant, parsed.data);
      return await handler(parsed.data, { db, principal: checked.principal, tenantId: checked.tenantId });
    } catch (error) {
      if (error instanceof AuthError) return { ok: false, status: error.status, message: error.message };
      // Answered, not thrown: a thrown error replaces the page with the error boundary, and the
      // operator loses what the form held for a failure that trying again may well cure. Its
      // transaction has rolled back, so nothing of the action is left half-written.
      if (isStatementCancelled(error)) {
        logStatementCancelled("action", error);
        return { ok: false, status: 503, message: STATEMENT_CANCELLED_MESSAGE };
      }
      throw error;
    }
  };
  Object.defineProperty(action, GUARDED, { value: true });
  return action;
}

// Kept importable from here, where the guards' callers have always found it.
export { fieldErrors };

// --- Pages -----------------------------------------------------------------------------------

/**
 * The principal of the page being rendered, or null. Pages use it to redirect to sign-in; the
 * data they show still comes through checks of their own (`requirePageAccess`).
 */
export async function getPagePrincipal(): Promise<{ principal: Principal | null; db: Database }> {
  // Cookies first: reading them marks the page dynamic, so a build's prerender pass stops here
  // instead of opening the database.
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const { db } = await getDatabase();
  const config = readConfig();
  const claims = await openSession(token, getSessionKey(config));
  return { principal: claims ? await authenticateSession(db, claims, sessionPolicy(config)) : null, db };
}
