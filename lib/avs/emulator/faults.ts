/**
 * Injected faults. A fault matches requests by method and a piece of the path and is used up
 * after `times` matches, so a test can say "the next GET of segments is throttled once" and the
 * SDK's retry then sees a healthy emulator.
 */
import { z } from "zod";

export type EmulatorFault = {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Case-insensitive substring of the request path (any when absent). */
  pathIncludes?: string;
  /**
   * latency: delay, then serve normally. throttle: 429 with Retry-After. error: `status` with an
   * ARM error body. fail-operation: the next matching segment create/delete is accepted but its
   * operation ends Failed. hang: no answer until the emulator closes or `hangMs` passes, then the
   * connection is dropped.
   */
  kind: "latency" | "throttle" | "error" | "fail-operation" | "hang";
  /** How many matching requests (or operations, for fail-operation) it affects. Default 1. */
  times?: number;
  latencyMs?: number;
  /** Throttle: the Retry-After value (default 1). Error: sent only when given. */
  retryAfterSeconds?: number;
  /** Error: the HTTP status (default 500). */
  status?: number;
  /** Error: the ARM error code (default "InternalServerError"). */
  code?: string;
  hangMs?: number;
};

const count = z.number().int().nonnegative();

export const faultSchema = z.strictObject({
  method: z.string().min(1).optional(),
  pathIncludes: z.string().min(1).optional(),
  kind: z.enum(["latency", "throttle", "error", "fail-operation", "hang"]),
  times: z.number().int().positive().optional(),
  latencyMs: count.optional(),
  retryAfterSeconds: count.optional(),
  status: z.number().int().min(400).max(599).optional(),
  code: z.string().min(1).optional(),
  hangMs: count.optional(),
}) satisfies z.ZodType<EmulatorFault>;

/** What to do with one request: wait `delayMs`, then answer with `outcome` or serve it normally. */
export type FaultPlan = {
  delayMs: number;
  outcome?:
    | { kind: "respond"; status: number; code: string; message: string; retryAfterSeconds?: number }
    | { kind: "hang"; hangMs?: number };
};

type ActiveFault = EmulatorFault & { remaining: number };

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(fault: EmulatorFault): void {
    const parsed = faultSchema.safeParse(fault);
    if (!parsed.success) throw new Error(`Invalid emulator fault: ${z.prettifyError(parsed.error)}`);
    this.faults.push({ ...parsed.data, remaining: parsed.data.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  list(): Array<EmulatorFault & { remaining: number }> {
    return this.faults.map((f) => ({ ...f }));
  }

  /**
   * Every matching latency fault adds its delay; the first matching throttle, error or hang
   * decides the answer. fail-operation faults are left for `takeOperationFailure`.
   */
  plan(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    for (const fault of this.matching(method, path)) {
      if (fault.kind === "fail-operation") continue;
      if (fault.kind === "latency") {
        this.use(fault);
        plan.delayMs += fault.latencyMs ?? 0;
        continue;
      }
      if (plan.outcome) continue;
      this.use(fault);
      if (fault.kind === "hang") plan.outcome = { kind: "hang", ...(fault.hangMs !== undefined ? { hangMs: fault.hangMs } : {}) };
      else if (fault.kind === "throttle")
        plan.outcome = {
          kind: "respond",
          status: 429,
          code: "TooManyRequests",
          message: "The request is being throttled (injected by the AVS emulator).",
          retryAfterSeconds: fault.retryAfterSeconds ?? 1,
        };
      else
        plan.outcome = {
          kind: "respond",
          status: fault.status ?? 500,
          code: fault.code ?? "InternalServerError",
          message: "The server encountered an internal error (injected by the AVS emulator).",
          ...(fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : {}),
        };
    }
    return plan;
  }

  /** Called when a create or delete operation starts: true when an injected failure claims it. */
  takeOperationFailure(method: string, path: string): boolean {
    const fault = this.matching(method, path).find((f) => f.kind === "fail-operation");
    if (!fault) return false;
    this.use(fault);
    return true;
  }

  private matching(method: string, path: string): ActiveFault[] {
    const lowerPath = path.toLowerCase();
    return this.faults.filter(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
        (f.pathIncludes === undefined || lowerPath.includes(f.pathIncludes.toLowerCase())),
    );
  }

  private use(fault: ActiveFault): void {
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
  }
}
