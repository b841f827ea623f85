/**
 * The evaluation's kept windows as main had them before they became columns (e79de2c,
 * lib/telemetry/evaluation/sample-windows.ts): each endpoint's window kept as the RuleSample
 * objects read (a Date or two each), filtered and extended in place between rounds. Kept so
 * bench/sample-windows.ts can hold the old store and the new one side by side in one process on
 * the same data; the reads from the database are today's (readWholeWindows, readNewerSamples),
 * unchanged by c8eb473, so the two differ only in what they keep.
 */
import type { Database } from "@/lib/db/client";
import type { RuleSample } from "@/lib/telemetry/rules/types";
import { readNewerSamples, readWholeWindows, type WindowRequest } from "@/lib/telemetry/evaluation/sample-windows";

type Kept = { seq: number; since: number; paths: number; samples: RuleSample[]; usedAt: number };

/** Past this many samples kept, the least recently used endpoints are dropped (read whole again when needed). */
const MAX_KEPT_SAMPLES = 3_000_000;

export class SampleWindowsBefore {
  private readonly kept = new Map<string, Kept>();
  private size = 0;

  /** Each endpoint's window, oldest first. Endpoints without samples map to an empty list. */
  async read(db: Database, endpoints: readonly WindowRequest[], now: number = Date.now()): Promise<Map<string, RuleSample[]>> {
    const whole: WindowRequest[] = [];
    const newer: (WindowRequest & { after: number })[] = [];
    for (const e of endpoints) {
      const k = this.kept.get(e.id);
      if (!k || k.since > e.since.getTime() || k.paths < e.paths || e.lateSeq > k.seq || e.seq < k.seq) whole.push(e);
      else if (e.seq !== k.seq) newer.push({ ...e, after: k.samples.at(-1)?.measuredAt.getTime() ?? e.since.getTime() - 1 });
    }
    const read = whole.length ? await readWholeWindows(db, whole) : new Map<string, RuleSample[]>();
    const added = newer.length ? await readNewerSamples(db, newer) : new Map<string, RuleSample[]>();

    const result = new Map<string, RuleSample[]>();
    for (const e of endpoints) {
      const old = this.kept.get(e.id);
      let samples: RuleSample[];
      if (read.has(e.id)) samples = read.get(e.id)!;
      else {
        const since = e.since.getTime();
        samples = old!.samples.filter((s) => s.measuredAt.getTime() >= since).concat(added.get(e.id) ?? []);
        keepNewestPaths(samples, e.paths);
      }
      this.size += samples.length - (old?.samples.length ?? 0);
      this.kept.set(e.id, { seq: e.seq, since: e.since.getTime(), paths: e.paths, samples, usedAt: now });
      result.set(e.id, samples);
    }
    if (this.size > MAX_KEPT_SAMPLES) this.evict();
    return result;
  }

  private evict() {
    const byUse = [...this.kept].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [id, k] of byUse) {
      if (this.size <= MAX_KEPT_SAMPLES / 2) break;
      this.kept.delete(id);
      this.size -= k.samples.length;
    }
  }
}

/** Drops the path of every trace but the newest `paths` (which are what the rules compare). */
function keepNewestPaths(samples: RuleSample[], paths: number) {
  let seen = 0;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (!s.path || s.path.length === 0) continue;
    if (seen < paths) seen++;
    else s.path = null;
  }
}
