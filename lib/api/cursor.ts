/**
 * Opaque cursors for keyset pagination: the client passes back `next` as `cursor` and never reads
 * it. A cursor that does not decode is a 400 naming the parameter, not a silent first page.
 */
import "server-only";
import { z } from "zod";

export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T extends z.ZodType>(schema: T, cursor: string | undefined): { ok: true; value: z.infer<T> | null } | { ok: false } {
  if (cursor === undefined) return { ok: true, value: null };
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}
