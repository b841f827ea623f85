import "server-only";
import type { AppConfig } from "@/lib/config";
import { pingDatabase, type DatabaseHandle } from "@/lib/db/client";

export type HealthReport = {
  status: "ok" | "unavailable";
  database: AppConfig["database"]["kind"];
  azure: AppConfig["azure"]["mode"];
  identity: AppConfig["identity"]["mode"];
  checks: { database: { ok: boolean; latencyMs: number; error?: string } };
  time: string;
};

const DATABASE_TIMEOUT_MS = 3_000;

/**
 * What a load balancer or an operator needs to know: which modes are in force and whether the
 * database answers. It names no host, user or secret, so it is safe to serve unauthenticated.
 */
export async function checkHealth(
  config: AppConfig,
  getHandle: () => Promise<DatabaseHandle>,
): Promise<{ httpStatus: number; report: HealthReport }> {
  const started = performance.now();
  let error: string | undefined;
  try {
    await withTimeout(getHandle().then(pingDatabase), DATABASE_TIMEOUT_MS);
  } catch (cause) {
    error = describeDatabaseError(cause);
  }
  const report: HealthReport = {
    status: error ? "unavailable" : "ok",
    database: config.database.kind,
    azure: config.azure.mode,
    identity: config.identity.mode,
    checks: { database: { ok: !error, latencyMs: Math.round(performance.now() - started), ...(error && { error }) } },
    time: new Date().toISOString(),
  };
  return { httpStatus: error ? 503 : 200, report };
}

function describeDatabaseError(cause: unknown): string {
  if (cause instanceof TimeoutError) return `no answer within ${DATABASE_TIMEOUT_MS} ms`;
  // drizzle wraps the driver's error; the code sits on the innermost cause.
  let code: unknown;
  for (let error = cause as { code?: unknown; cause?: unknown } | undefined; error && !code; error = error.cause as typeof error) {
    code = error.code;
  }
  // Driver messages can carry host names and user names; the code alone tells the operator enough.
  return typeof code === "string" ? `database unreachable (${code})` : "database unreachable";
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
