/**
 * A Chromium trace of one wall load, summarised: the renderer main thread's self time by kind of
 * work from navigation to the painted tiles, and its longest task (bench/views-wall.ts).
 */

type TraceEvent = { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { data?: { documentLoaderURL?: string; url?: string } } };

export type TraceSummary = { byCategory: Record<string, number>; spanMs: number; longestTaskMs: number };

const KINDS: [RegExp, string][] = [
  [/^ParseHTML$/, "HTML parse"],
  [/GC|^V8\.GC/i, "garbage collection"],
  [/^(v8\.compile|v8\.compileModule|v8\.parseOnBackground|V8\.CompileCode|V8\.ParseFunction|V8\.CompileLazy|CompileScript|v8\.produceCache|CacheScript)/, "script compile"],
  [/^(EvaluateScript|v8\.evaluateModule|FunctionCall|TimerFire|FireAnimationFrame|RunMicrotasks|EventDispatch|v8\.callFunction|v8\.run|V8\.Execute|FireIdleCallback|XHRReadyStateChange|v8\.newInstance)/, "JavaScript (hydration, React render, effects)"],
  [/^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet)$/, "style"],
  [/^(Layout|LayoutShift)$/, "layout"],
  [/^(Paint|PrePaint|PaintSetup|PaintImage|Layerize|UpdateLayer|UpdateLayerTree|CompositeLayers|Commit|Decode.*)$/, "pre-paint, paint, layerize"],
];

const kindOf = (name: string) => KINDS.find(([pattern]) => pattern.test(name))?.[1] ?? "other (task overhead, loading, bookkeeping)";

/** `paintedMs`: when the tiles were painted, in the page's performance.now() (from navigation). */
export function summarizeTrace(raw: unknown[], paintedMs: number): TraceSummary {
  const events = raw as TraceEvent[];
  const nav = events.find((e) => e.name === "navigationStart" && (e.args?.data?.documentLoaderURL ?? "").includes("/noc"));
  if (!nav) throw new Error("The trace has no navigationStart for /noc.");
  const start = nav.ts;
  const end = start + paintedMs * 1000;
  const own = events
    .filter((e) => e.ph === "X" && e.pid === nav.pid && e.tid === nav.tid && e.dur !== undefined && e.ts < end && e.ts + e.dur! > start)
    .map((e) => ({ name: e.name, from: Math.max(start, e.ts), to: Math.min(end, e.ts + e.dur!) }))
    .sort((a, b) => a.from - b.from || b.to - a.to);
  const self = new Map<(typeof own)[number], number>();
  const stack: (typeof own)[number][] = [];
  for (const e of own) {
    while (stack.length && stack.at(-1)!.to <= e.from) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - (Math.min(e.to, parent.to) - e.from));
    self.set(e, (self.get(e) ?? 0) + (e.to - e.from));
    stack.push(e);
  }
  const byCategory: Record<string, number> = {};
  for (const [e, us] of self) {
    const kind = e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask" ? "other (task overhead, loading, bookkeeping)" : kindOf(e.name);
    byCategory[kind] = (byCategory[kind] ?? 0) + us / 1000;
  }
  const tasks = own.filter((e) => e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask");
  return { byCategory, spanMs: paintedMs, longestTaskMs: Math.max(0, ...tasks.map((t) => (t.to - t.from) / 1000)) };
}
