import type { z } from "zod";

/**
 * A zod error as `{ "samples.1.rttMs": ["…"] }`: each bad field by its path, with what to fix.
 * Its own module so code outside Next's request scope (the telemetry fast path) can use it
 * without loading the guards, which read Next's request headers and cookies.
 */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "_";
    (errors[field] ??= []).push(issue.message);
  }
  return errors;
}
