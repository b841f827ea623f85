/**
 * Micro-benchmark timing: the median over many timed slices of repeated calls, so a timer's
 * resolution and one slow garbage collection do not decide a figure.
 */
import { performance } from "node:perf_hooks";

/** Timed slices per figure; each slice repeats the call until it has run for at least SLICE_MS. */
export const SLICES = 41;
const SLICE_MS = 5;

/** Median µs per call of `work`, after a warm-up that lets the JIT settle. */
export async function microsPerCall(work: () => unknown | Promise<unknown>): Promise<number> {
  let repeats = 1;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < repeats; i++) await work();
    if (performance.now() - started >= SLICE_MS) break;
    repeats *= 2;
  }
  const slices: number[] = [];
  for (let s = 0; s < SLICES; s++) {
    const started = performance.now();
    for (let i = 0; i < repeats; i++) await work();
    slices.push(((performance.now() - started) * 1000) / repeats);
  }
  return slices.sort((a, b) => a - b)[Math.floor(SLICES / 2)]!;
}
