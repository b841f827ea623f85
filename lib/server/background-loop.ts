import "server-only";
/**
 * The one shape of every background job in the console process (provisioning, private-cloud
 * sync, roll-ups and retention, warning evaluation, and what comes after): rounds on a fixed
 * grid of slots, never two rounds of one loop at once, a failed round logged and the loop going
 * on, and a stop() that resolves once the round in flight has finished, so the database can be
 * closed under it.
 *
 * The next slot is computed from the previous slot, never from the clock: a timer that fires a
 * little early would otherwise be given the same slot again, and one that fires late would
 * drift the grid. A round that overruns its slot (or a process that stalled) skips the slots it
 * missed rather than running them back to back.
 */
import { performance } from "node:perf_hooks";
import { observeJobRound } from "@/lib/metrics/registry";

export type RoundOutcome = {
  /** Run again this soon rather than at the next slot (a backlog left, a Retry-After). */
  nextInMs?: number;
};

export type BackgroundLoopOptions = {
  /** Shown in log lines: `[name] round failed: …`. */
  name: string;
  intervalMs: number;
  round: () => Promise<RoundOutcome | void>;
  /** Run the first round at once (default) or one interval after start. */
  runAtStart?: boolean;
  now?: () => number;
  logger?: Pick<Console, "error">;
};

export type BackgroundLoop = {
  /**
   * Stops scheduling at once; resolves when the round in flight, if any, has finished (a caller
   * may close what that round waits on, such as the emulator, before awaiting it).
   */
  stop(): Promise<void>;
};

export function startBackgroundLoop(options: BackgroundLoopOptions): BackgroundLoop {
  const { name, intervalMs, round } = options;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) throw new RangeError(`${name}: intervalMs must be a positive number of milliseconds, not ${intervalMs}.`);
  const now = options.now ?? Date.now;
  const logger = options.logger ?? console;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const wakeAt = (at: number, slot: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runRound(slot);
    }, Math.max(0, at - now()));
    // The server's sockets keep the process alive; a background timer alone must not.
    timer.unref();
  };

  const runRound = async (slot: number) => {
    let outcome: RoundOutcome | void = undefined;
    const started = performance.now();
    let failed = false;
    try {
      outcome = await round();
    } catch (error) {
      failed = true;
      logger.error(`[${name}] round failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Every job's round length and failures, as bridgehead_job_round_duration_seconds{job=name}.
    observeJobRound(name, (performance.now() - started) / 1000, failed);
    if (stopped) return;
    const finished = now();
    let next = slot + intervalMs;
    // Overran, or slept through slots: the next slot still in the future, on the same grid.
    if (next <= finished) next = slot + Math.ceil((finished - slot + 1) / intervalMs) * intervalMs;
    if (outcome?.nextInMs !== undefined && finished + outcome.nextInMs < next) {
      // An early round off the grid: the grid resumes from the slot that round stands for.
      wakeAt(finished + outcome.nextInMs, next - intervalMs);
      return;
    }
    wakeAt(next, next);
  };

  const start = now();
  if (options.runAtStart === false) wakeAt(start + intervalMs, start + intervalMs);
  else running = runRound(start);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
