/**
 * Long work on the console's one thread, cut into slices: after each item, once a slice has run
 * for `sliceMs`, the loop is let turn (setImmediate) before the next item, so requests that
 * arrived meanwhile are answered between slices instead of after the whole of it. The warning
 * evaluation judges 50 tenants per batch, a millisecond or more each; in one piece that was the
 * console's longest task under load (docs/benchmarks.md, "Fleet scale").
 *
 * A slice rather than a turn after every item: the evaluation runs inside a transaction, and
 * every turn lets other requests' JavaScript run while it holds the database's connection.
 */
import "server-only";
import { setImmediate as turn } from "node:timers/promises";

/** Long enough that the slices share their fixed cost, short enough for the event-loop goal (p99 ≤ 50 ms). */
export const SLICE_MS = 10;

/** How long a slice runs (`Infinity`: the whole loop in one piece) and the clock it is measured by (tests step it). */
export type SliceOptions = { sliceMs?: number; now?: () => number };

export async function forEachInSlices<T>(items: Iterable<T>, work: (item: T) => void, options: SliceOptions = {}): Promise<void> {
  const sliceMs = options.sliceMs ?? SLICE_MS;
  const now = options.now ?? (() => performance.now());
  let sliceStart = now();
  for (const item of items) {
    work(item);
    if (now() - sliceStart >= sliceMs) {
      await turn();
      sliceStart = now();
    }
  }
}
