/**
 * The console's configuration, read once from the environment. Every mode has an embedded
 * default; setting the variables of a real service switches that concern to it.
 */
import "server-only";
import path from "node:path";
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const environmentSchema = z.object({
  DATA_DIR: optionalString,
  DATABASE_URL: optionalString.refine((url) => url === undefined || /^postgres(ql)?:\/\//.test(url), {
    message: "DATABASE_URL must start with postgres:// or postgresql://",
  }),
  HOST: optionalString,
  PORT: optionalString.refine((port) => port === undefined || /^\d{1,5}$/.test(port), {
    message: "PORT must be a TCP port number",
  }),
  PUBLIC_URL: optionalString.refine((url) => url === undefined || /^https?:\/\/[^/?#\s]+$/.test(url), {
    message: "PUBLIC_URL must be an origin such as https://bridgehead.example.com (no path)",
  }),
  TLS: z.enum(["on", "off"]).optional(),
  TLS_CERT_FILE: optionalString,
  TLS_KEY_FILE: optionalString,
  AZURE_SUBSCRIPTION_ID: optionalString,
  AZURE_RESOURCE_GROUP: optionalString,
  SESSION_SECRET: optionalString.refine((secret) => secret === undefined || secret.length >= 32, {
    message: "SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -base64 48`)",
  }),
  SECRETS_KEY: optionalString.refine((secret) => secret === undefined || secret.length >= 32, {
    message: "SECRETS_KEY must be at least 32 characters (e.g. `openssl rand -base64 48`)",
  }),
  BUILTIN_SIGN_IN: z.enum(["on"]).optional(),
  SESSION_IDLE_MINUTES: optionalString.refine((v) => v === undefined || (/^\d{1,4}$/.test(v) && Number(v) >= 5 && Number(v) <= 480), {
    message: "SESSION_IDLE_MINUTES must be a whole number of minutes from 5 to 480 (a session lasts 8 hours at most)",
  }),
  AGENT_TOKEN_GRACE_HOURS: optionalString.refine((v) => v === undefined || (/^\d{1,4}$/.test(v) && Number(v) <= 720), {
    message: "AGENT_TOKEN_GRACE_HOURS must be a whole number of hours from 0 to 720 (0: a rotated token stops at once)",
  }),
  INGEST_MAX_POSTS_IN_PROGRESS: optionalString.refine((v) => v === undefined || (/^\d{1,6}$/.test(v) && Number(v) >= 1), {
    message: "INGEST_MAX_POSTS_IN_PROGRESS must be a whole number of agents' posts, at least 1 (256 by default)",
  }),
  // Tokens name their tenant by its ID (iss, tid): a domain, 'common' or 'organizations' here would match none.
  ENTRA_TENANT_ID: optionalString.refine((id) => id === undefined || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id), {
    message: "ENTRA_TENANT_ID must be the directory (tenant) ID, a GUID from the tenant's overview page, not its domain name, 'common' or 'organizations'",
  }),
  ENTRA_CLIENT_ID: optionalString,
  // Host and port only: a user-info part ('login.microsoftonline.com@other.host') would fetch the keys from the other host.
  ENTRA_AUTHORITY: optionalString.refine((url) => url === undefined || /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(url), {
    message: "ENTRA_AUTHORITY must be an https origin such as https://login.microsoftonline.us (no path)",
  }),
  ENTRA_APP_ID_URI: optionalString.refine((uri) => uri === undefined || /^(api|https):\/\/\S+$/.test(uri), {
    message: "ENTRA_APP_ID_URI must be the app registration's Application ID URI, such as api://<client id>",
  }),
});

/** Posts one console handles at once by default: a few times what a healthy console at 10,000 tunnels has in progress (docs/decisions.md). */
export const DEFAULT_MAX_POSTS_IN_PROGRESS = 256;

export type DatabaseTarget = { kind: "pglite"; dataDir: string | null } | { kind: "postgres"; url: string };

export type AppConfig = {
  dataDir: string;
  database: DatabaseTarget;
  host: string;
  port: number;
  /** The origin users reach the console at; the built-in identity provider's issuer hangs off it. */
  publicUrl: string;
  tls: { enabled: boolean; certFile?: string; keyFile?: string };
  /** Set: the shared secret every instance derives its session key from. Unset: a key file in DATA_DIR. */
  sessionSecret?: string;
  /** Set: the shared key stored secrets (PSKs, agent tokens) are encrypted with. Unset: a key file in DATA_DIR. */
  secretsKey?: string;
  azure: { mode: "emulator" } | { mode: "azure"; subscriptionId: string; resourceGroup?: string };
  identity: { mode: "builtin" } | EntraIdentity;
  /** A person's session ends after this long without a request (wall displays are exempt). */
  sessionIdleMinutes: number;
  /** How long an agent's previous token keeps working after a rotation. */
  agentTokenGraceHours: number;
  /** The most agents' telemetry posts one console handles at once; more are answered 503 once their bodies are in (acceptTelemetryBatch in lib/api/telemetry-post.ts). */
  ingestMaxPostsInProgress: number;
};

/**
 * Microsoft Entra ID. `authority`: the cloud's sign-in origin (public cloud unless
 * ENTRA_AUTHORITY names a national one). `appIdUri`: the Application ID URI that app-only
 * access tokens (client credentials) may carry as their audience, besides the client id.
 */
export type EntraIdentity = { mode: "entra"; tenantId: string; clientId: string; authority: string; appIdUri: string };

export const ENTRA_PUBLIC_CLOUD = "https://login.microsoftonline.com";

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function readConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  // The data folder is chosen at run time; it is not part of the build output.
  const dataDir = path.resolve(/*turbopackIgnore: true*/ e.DATA_DIR ?? "data");

  const identity: AppConfig["identity"] =
    e.ENTRA_TENANT_ID && e.ENTRA_CLIENT_ID
      ? {
          mode: "entra",
          tenantId: e.ENTRA_TENANT_ID,
          clientId: e.ENTRA_CLIENT_ID,
          authority: e.ENTRA_AUTHORITY ?? ENTRA_PUBLIC_CLOUD,
          appIdUri: e.ENTRA_APP_ID_URI ?? `api://${e.ENTRA_CLIENT_ID}`,
        }
      : { mode: "builtin" };
  if (Boolean(e.ENTRA_TENANT_ID) !== Boolean(e.ENTRA_CLIENT_ID)) {
    throw new ConfigError("Set both ENTRA_TENANT_ID and ENTRA_CLIENT_ID to use Microsoft Entra ID, or neither.");
  }

  // The built-in provider's demo accounts have published passwords, one of them an admin's.
  // They must never guard real Azure, and a shared database (a production-shaped deployment)
  // gets them only when the operator says so in as many words.
  if (identity.mode === "builtin" && e.AZURE_SUBSCRIPTION_ID) {
    throw new ConfigError(
      "AZURE_SUBSCRIPTION_ID is set but sign-in is the built-in demo provider: set ENTRA_TENANT_ID and ENTRA_CLIENT_ID.",
    );
  }
  if (identity.mode === "builtin" && e.DATABASE_URL && e.BUILTIN_SIGN_IN !== "on") {
    throw new ConfigError(
      "DATABASE_URL is set but sign-in is the built-in demo provider, whose passwords are public. Set ENTRA_TENANT_ID and " +
        "ENTRA_CLIENT_ID, or BUILTIN_SIGN_IN=on for a test deployment.",
    );
  }

  // MSAL accepts only an https: authority, so the built-in identity provider needs TLS. Only a
  // deployment signing in with Entra may hand TLS to a proxy in front of it.
  const tlsEnabled = e.TLS !== "off";
  if (!tlsEnabled && identity.mode === "builtin") {
    throw new ConfigError(
      "TLS=off is only allowed with Microsoft Entra ID: the built-in sign-in provider must be served over HTTPS.",
    );
  }
  if (Boolean(e.TLS_CERT_FILE) !== Boolean(e.TLS_KEY_FILE)) {
    throw new ConfigError("Set both TLS_CERT_FILE and TLS_KEY_FILE, or neither (a self-signed certificate is made).");
  }

  // Instances sharing one PostgreSQL sit behind one load balancer: a session made by one must be
  // readable by the others, so they need one secret rather than a key file each.
  if (e.DATABASE_URL && !e.SESSION_SECRET) {
    throw new ConfigError(
      "With DATABASE_URL set, also set SESSION_SECRET (at least 32 characters, the same on every instance).",
    );
  }

  // Pre-shared keys and agent tokens written by one instance must be readable by the others.
  if (e.DATABASE_URL && !e.SECRETS_KEY) {
    throw new ConfigError(
      "With DATABASE_URL set, also set SECRETS_KEY (at least 32 characters, the same on every instance, kept apart from SESSION_SECRET).",
    );
  }

  const port = e.PORT ? Number(e.PORT) : 3000;
  return {
    dataDir,
    sessionSecret: e.SESSION_SECRET,
    secretsKey: e.SECRETS_KEY,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL }
      : { kind: "pglite", dataDir: path.join(dataDir, "pglite") },
    host: e.HOST ?? "127.0.0.1",
    port,
    publicUrl: e.PUBLIC_URL ?? `${tlsEnabled ? "https" : "http"}://localhost:${port}`,
    tls: { enabled: tlsEnabled, certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE },
    azure: e.AZURE_SUBSCRIPTION_ID
      ? { mode: "azure", subscriptionId: e.AZURE_SUBSCRIPTION_ID, resourceGroup: e.AZURE_RESOURCE_GROUP }
      : { mode: "emulator" },
    identity,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES ? Number(e.SESSION_IDLE_MINUTES) : 60,
    agentTokenGraceHours: e.AGENT_TOKEN_GRACE_HOURS ? Number(e.AGENT_TOKEN_GRACE_HOURS) : 24,
    ingestMaxPostsInProgress: e.INGEST_MAX_POSTS_IN_PROGRESS ? Number(e.INGEST_MAX_POSTS_IN_PROGRESS) : DEFAULT_MAX_POSTS_IN_PROGRESS,
  };
}
