/**
 * The scale benchmark's log line per measured minute beside the loop's figures: whose CPU the
 * minute was (the benchmark's own agents and wall reader, each console's, the machine's load) and
 * every stall the event-loop probe recorded since the last minute, with the GC pauses inside it.
 * Before blaming a console for a stall, the minute's load says whether the machine was the cause.
 */
import os from "node:os";
import { cpuSecondsOf, type LoopStats, type RunningConsole } from "./scale-fleet";

export function minuteLogger(consoles: RunningConsole[], cpuBefore: number[]): (minute: number, loops: LoopStats[]) => void {
  let last = { bench: process.cpuUsage(), consoles: cpuBefore, at: performance.now() };
  const stallsSeen = consoles.map(() => 0);
  return (minute, loops) => {
    const now = { bench: process.cpuUsage(), consoles: consoles.map((c) => cpuSecondsOf(c.pid)), at: performance.now() };
    const seconds = (now.at - last.at) / 1000;
    const benchPercent = ((now.bench.user + now.bench.system - last.bench.user - last.bench.system) / 1e6 / seconds) * 100;
    const consolePercent = now.consoles.map((c, i) => ((c - last.consoles[i]!) / seconds) * 100);
    last = now;
    console.log(
      `[bench]   minute ${minute}: load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; cpu bench ${benchPercent.toFixed(0)} %, consoles ${consolePercent.map((p) => p.toFixed(0)).join(" / ")} %; ` +
        `agents' connections ${consoles.map(connectionsOf).join(" / ")}`,
    );
    for (const [i, loop] of loops.entries()) {
      for (const stall of (loop.stalls ?? []).slice(stallsSeen[i])) {
        const gc = stall.gc ? `${stall.gc.count}× ${stall.gc.ms} ms [${stall.gc.longest.join(", ")}]` : "?";
        const cpu = stall.ranMs === null || stall.ranMs === undefined ? "" : `; of ${stall.windowMs} ms the thread ran ${stall.ranMs}, waited for a CPU ${stall.waitedMs}, slept ${stall.sleptMs}`;
        console.log(`[bench]     console ${i + 1} stall ${stall.ms} ms ending ${stall.at} (mono ${stall.endMonoUs} µs), load ${stall.load1.toFixed(1)}; gc inside: ${gc}${cpu}`);
      }
      stallsSeen[i] = loop.stalls?.length ?? 0;
    }
  };
}

/** The agents' client toward one console: sockets busy, sockets idle, posts waiting for a socket (the cap, when there is one). */
export function connectionsOf(target: RunningConsole): string {
  const count = (byOrigin: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(byOrigin).reduce((n, list) => n + (list?.length ?? 0), 0);
  return `${count(target.agent.sockets)} busy, ${count(target.agent.freeSockets)} idle, ${count(target.agent.requests)} waiting`;
}
