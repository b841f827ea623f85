/**
 * The benchmarks' event-loop probe (bench/event-loop-probe.mjs) splits each stall into the time
 * the console's thread ran, waited for a CPU and slept (docs/benchmarks.md, the sixth round's
 * reading rests on it). Proven on two stalls made to order in a child process: one busy (the
 * thread never sleeps, so nothing of it may read as asleep) and one asleep in Atomics.wait (the
 * thread neither runs nor waits for a CPU). The stalls' lengths are set by the script, not timed
 * here: on a loaded machine they only grow, and the split's assertions hold whatever the load.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const probe = path.resolve("bench/event-loop-probe.mjs");
// Linux keeps scheduler statistics per thread here; elsewhere the probe reports none (null).
const hasSchedstat = fs.existsSync(`/proc/self/task/${process.pid}/schedstat`);

// 500 ms busy, without allocating (a collection inside could put the thread to sleep joining its
// helpers): the clock is read once per million iterations. Then 500 ms asleep. Then enough turns
// of the loop for the probe to write its file (every second).
const SCRIPT = `
let x = 0;
setTimeout(() => {
  const end = performance.now() + 500;
  while (performance.now() < end) for (let i = 0; i < 1e6; i++) x = (x + i) | 0;
}, 100);
setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500), 900);
setTimeout(() => {}, 3200);
`;

type Stall = { ms: number; windowMs: number; ranMs: number | null; waitedMs: number | null; sleptMs: number | null };

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.skipIf(!hasSchedstat)("the event-loop probe's split of a stall", () => {
  it("reads a busy stall as run or waited for, and a sleeping one as slept", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-probe-"));
    const script = path.join(dir, "stalls.mjs");
    const file = path.join(dir, "event-loop.json");
    fs.writeFileSync(script, SCRIPT);
    await run(process.execPath, ["--import", probe, script], { env: { ...process.env, BENCH_EVENT_LOOP_FILE: file, BENCH_STALL_MS: "300" } });
    const stats = JSON.parse(fs.readFileSync(file, "utf8")) as { stallMs: number; stalls: Stall[]; mainThread: { ranMs: number; waitedMs: number } | null };

    expect(stats.stallMs).toBe(300);
    expect(stats.mainThread?.ranMs).toBeGreaterThan(0);
    // The busy one, at least its 500 ms: the thread on a CPU or ready for one throughout, how the
    // two shared out depending on the machine's load (the kernel's figures move in steps of a
    // few milliseconds, hence the 30 ms).
    const busy = stats.stalls.filter((s) => s.ms >= 490 && s.sleptMs !== null && s.sleptMs <= 30);
    expect(busy).toHaveLength(1);
    expect(busy[0]!.ranMs).toBeGreaterThan(0);
    // The sleeping one: at least its 500 ms asleep, hardly any of it on a CPU.
    const asleep = stats.stalls.filter((s) => s.sleptMs !== null && s.sleptMs >= 450);
    expect(asleep).toHaveLength(1);
    expect(asleep[0]!.ranMs).toBeLessThanOrEqual(30);
    expect(asleep[0]!.windowMs).toBe(asleep[0]!.ms + 10);
  });

  it("falls back to its default threshold when the one asked for is not a positive number", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-probe-"));
    const script = path.join(dir, "quiet.mjs");
    const file = path.join(dir, "event-loop.json");
    fs.writeFileSync(script, "setTimeout(() => {}, 1200);");
    await run(process.execPath, ["--import", probe, script], { env: { ...process.env, BENCH_EVENT_LOOP_FILE: file, BENCH_STALL_MS: "soon" } });
    const stats = JSON.parse(fs.readFileSync(file, "utf8")) as { stallMs: number; stalls: Stall[] };
    // NaN once made every 10-ms tick a stall.
    expect(stats.stallMs).toBe(150);
    expect(stats.stalls.filter((s) => s.ms < 150)).toEqual([]);
  });
});
