/**
 * Builds the OpenAPI 3.1 document from a list of operations whose request schemas are the very
 * zod schemas the routes validate with (converted by zod's own `z.toJSONSchema`), so the
 * published contract cannot drift from the checks.
 */
import { z } from "zod";

type JsonSchema = Record<string, unknown>;
export type Method = "get" | "post" | "put" | "patch" | "delete";

/**
 * Who may call: `read`/`write` name the API token scope needed (a session with the matching
 * console permission works too); `secrets` needs a write token too; `agent` is the telemetry
 * agents' own token; `public` anyone.
 */
export type OperationAccess = "read" | "write" | "secrets" | "agent" | "public";

export type ResponseSpec = { description: string; schema?: z.ZodType | JsonSchema; contentType?: string; headers?: Record<string, string> };

export type Operation = {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: OperationAccess;
  /** Fleet-wide only: a token limited to one tenant is refused (403). */
  fleetWide?: boolean;
  query?: z.ZodObject;
  body?: z.ZodType | JsonSchema;
  idempotencyKey?: boolean;
  /** `required`: no If-Match (or `*`) answers 428; true: optional, a stale one answers 412. */
  ifMatch?: boolean | "required";
  /** A conditional GET: If-None-Match naming the current ETag (or `*`) answers 304. */
  ifNoneMatch?: boolean;
  responses: Record<string, ResponseSpec>;
};

const toSchema = (schema: z.ZodType | JsonSchema): JsonSchema => {
  if (schema instanceof z.ZodType) {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
    return rest;
  }
  return schema;
};

export const PROBLEM_SCHEMA: JsonSchema = {
  type: "object",
  description: "RFC 9457 problem details. `errors` names each bad field with what to fix.",
  required: ["title", "status", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    error: { type: "string", description: "The detail again, for clients of the console's older { error } answers." },
    errors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
  },
};

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });

const SECURITY: Record<OperationAccess, Record<string, string[]>[]> = {
  read: [{ apiToken: [] }, { session: [] }],
  write: [{ apiToken: [] }, { session: [] }],
  secrets: [{ apiToken: [] }, { session: [] }],
  agent: [{ agentToken: [] }],
  public: [],
};

function parametersOf(operation: Operation): Record<string, unknown>[] {
  const params: Record<string, unknown>[] = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: name === "slug" ? { type: "string", pattern: "^[a-z0-9]+(-[a-z0-9]+)*$" } : { type: "string", format: "uuid" },
  }));
  if (operation.query) {
    const schema = toSchema(operation.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      params.push({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  if (operation.idempotencyKey) {
    params.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Any unique string (a UUID). A retry with the same key and body answers the first result again (Idempotent-Replayed: true) instead of acting twice; kept 24 hours.",
      schema: { type: "string", minLength: 1, maxLength: 255 },
    });
  }
  if (operation.ifNoneMatch) {
    params.push({
      name: "If-None-Match",
      in: "header",
      required: false,
      description: "The ETag of the answer you hold (a comma-separated list works; `W/` tags compare as their strong twins, `*` matches any). If it names the current answer, the reply is 304 with no body.",
      schema: { type: "string" },
    });
  }
  if (operation.ifMatch) {
    params.push({
      name: "If-Match",
      in: "header",
      required: operation.ifMatch === "required",
      description:
        "The ETag from GET (a comma-separated list of them works; `W/` weak tags never match an edit). A stale one gets 412 and nothing changes." +
        (operation.ifMatch === "required" ? " Required: without it, or with `*`, the answer is 428." : ""),
      schema: { type: "string" },
    });
  }
  return params;
}

function responsesOf(operation: Operation): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(operation.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {}),
      ...(spec.schema || spec.contentType ? { content: { [spec.contentType ?? "application/json"]: { schema: spec.schema ? toSchema(spec.schema) : { type: "string", format: "binary" } } } } : {}),
    };
  }
  if (operation.body) responses["400"] ??= problem("A field is wrong: `errors` names each one; nothing was written.");
  if (operation.ifMatch) responses["412"] ??= problem("If-Match named an older version; nothing changed.");
  if (operation.ifMatch === "required") responses["428"] ??= problem("If-Match is missing (or `*`): send the ETag of what you read.");
  if (operation.access !== "public" && operation.access !== "agent") {
    responses["401"] ??= problem("No credentials, or an unknown, expired or revoked API token.");
    responses["403"] ??= problem("The token's scope (or the user's role) does not reach this operation.");
    responses["429"] ??= { ...problem("Too many requests with this token."), headers: { "Retry-After": { schema: { type: "integer" } } } };
  }
  return responses;
}

export function buildOpenApiDocument(
  operations: Operation[],
  info: { title: string; version: string; description: string },
  named: Record<string, z.ZodType> = {},
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const entry = (paths[operation.path] ??= {});
    if (entry[operation.method]) throw new Error(`Two operations for ${operation.method.toUpperCase()} ${operation.path}`);
    entry[operation.method] = {
      operationId: `${operation.method}${operation.path.replace(/^\/api\/v1/, "").replace(/[{}]/g, "").replace(/(?:^|[/.-])(\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      tags: [operation.tag],
      security: SECURITY[operation.access],
      ...(operation.access === "read" || operation.access === "write" || operation.access === "secrets"
        ? { "x-token-scope": operation.access === "read" ? "read" : "write", "x-fleet-wide": operation.fleetWide ?? false }
        : {}),
      parameters: parametersOf(operation),
      ...(operation.body ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(operation.body) } } } } : {}),
      responses: responsesOf(operation),
    };
  }
  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        apiToken: {
          type: "http",
          scheme: "bearer",
          description:
            "An API token (bh_…) an admin created under Admin → Settings → API tokens: read or write, every tenant or one. " +
            "With Entra sign-in, also an Entra app's client-credentials access token holding the app role Bridgehead.Read or Bridgehead.Write (every tenant).",
        },
        session: { type: "apiKey", in: "cookie", name: "__Host-bh_session", description: "The console's own session (browsers)." },
        agentToken: { type: "http", scheme: "bearer", description: "A tunnel end's agent token (agt_…), rotatable in the console." },
      },
      schemas: { Problem: PROBLEM_SCHEMA, ...Object.fromEntries(Object.entries(named).map(([name, schema]) => [name, toSchema(schema)])) },
    },
    paths,
  };
}
