import { createHash } from "node:crypto";

/**
 * A tenant record's version for ETag / If-Match: a hash of every stored field, so any change
 * (an edit, a state change by the provisioning job) makes an older ETag stale.
 */
export function tenantVersion(row: Record<string, unknown>): string {
  const fields = Object.keys(row)
    .sort()
    .map((key) => [key, row[key] instanceof Date ? (row[key] as Date).toISOString() : row[key]]);
  return createHash("sha256").update(JSON.stringify(fields)).digest("base64url").slice(0, 27);
}

/** The same hash for any stored record (a notification channel's ETag). */
export const recordVersion = tenantVersion;
