/**
 * A simulated fleet of telemetry agents for demos and tests. Each agent posts its samples
 * through the console's real ingest API with its own bearer token, exactly as a gateway's agent
 * would: nothing is written to the database behind the API's back.
 *
 * Agents are staggered across the interval and measure on a grid aligned to the clock, so a
 * restarted fleet sends the same (endpoint, measuredAt) pairs again and the console counts them
 * as duplicates rather than drawing a second, interleaved series. Like a real agent, each keeps
 * what it could not send and sends it later in batches; a 429 makes it wait as long as
 * Retry-After says.
 */
import { MAX_BATCH, type TelemetrySample } from "@/lib/validation/telemetry";
import { type AgentTransport, type Answer, createAgentTransport } from "./agent-transport";
import { pairReport, type PairPlay } from "./pair-roles";
import { sampleFor, type Scenario, type TunnelFacts } from "./scenarios";
import type { Side } from "@/lib/domain/tenant-options";

export type SimulatedAgent = {
  endpointId: string;
  token: string;
  side: Side;
  scenario: Scenario;
  tunnel: TunnelFacts;
  /** One per tunnel, so both ends of a tunnel agree on its base latency and hops; defaults to one from the endpoint id. */
  seed?: number;
  /** For a tenant with two tunnels: the end's part in the pair, reported with every sample. */
  pair?: PairPlay;
};

export type FleetOptions = {
  /** The console's origin, e.g. https://127.0.0.1:3000. */
  consoleUrl: string;
  agents: SimulatedAgent[];
  intervalMs?: number;
  /** The certificate to trust for this console alone (its self-signed one); the system's CAs otherwise. */
  ca?: Buffer | string;
  /** The name to check the certificate against when it differs from the URL's host. */
  servername?: string;
  /** How much history to send at start, so charts are not empty at first sight; 0 for none. */
  backfillMs?: number;
  now?: () => number;
  log?: (message: string) => void;
};

export type FleetStats = {
  agents: number;
  /** Requests the console accepted (202). */
  requests: number;
  accepted: number;
  duplicates: number;
  /** 429s, each followed by a wait. */
  rateLimited: number;
  /** Samples the console refused (400/401/413): dropped, they would be refused again. */
  refused: number;
  /** Network errors and 5xx: the samples stay queued. */
  failures: number;
  /** Samples measured but not yet accepted. */
  queued: number;
  /** Agents whose backfill has been sent (or given up on). */
  backfilled: number;
  lastError: string | null;
};

export type SimulatedFleet = {
  stats(): FleetStats;
  /** Resolves once every agent has sent (or given up on) its history. */
  backfilled: Promise<void>;
  stop(): Promise<void>;
};

/** A real agent buffers a while through an outage, then drops the oldest. */
const MAX_QUEUED = 10 * MAX_BATCH;
const STOP_GRACE_MS = 5_000;
/** Between two batches of one agent's backlog: under the API's 2 requests a second. */
const DRAIN_PAUSE_MS = 600;

/** What every agent of one fleet shares: the console, the counts, the clock and the stop flag. */
type FleetShared = {
  transport: AgentTransport;
  stats: FleetStats;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  log: (message: string) => void;
  intervalMs: number;
  isStopped: () => boolean;
};

/** One simulated agent: measures on its grid, queues, and sends its queue in batches. */
class AgentRun {
  readonly seed: number;
  queue: TelemetrySample[] = [];
  timer?: NodeJS.Timeout;
  sending?: Promise<void>;
  /** Last failure logged, so one outage is one line rather than one per interval. */
  private lastLogged?: string;

  constructor(
    readonly agent: SimulatedAgent,
    /** Where on the interval this agent measures, so twenty agents are not twenty requests in one millisecond. */
    readonly offsetMs: number,
    private readonly fleet: FleetShared,
  ) {
    this.seed = agent.seed ?? seedFromId(agent.endpointId);
  }

  measure(at: number): TelemetrySample {
    const { agent, fleet } = this;
    const sample = sampleFor(agent.scenario, { side: agent.side, tick: Math.round((at - this.offsetMs) / fleet.intervalMs), at: new Date(at), seed: this.seed, tunnel: agent.tunnel });
    return agent.pair ? { ...sample, pair: pairReport(agent.pair, agent.side, new Date(at)) } : sample;
  }

  enqueue(samples: TelemetrySample[]): void {
    this.queue.push(...samples);
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
  }

  /** The next grid time of this agent strictly after `t`. */
  nextSlot(t: number): number {
    const { intervalMs } = this.fleet;
    return (Math.floor((t - this.offsetMs) / intervalMs) + 1) * intervalMs + this.offsetMs;
  }

  /** The history an agent that had been running would have sent: every slot in (start − backfill, start]. */
  backfill(started: number, backfillMs: number): number {
    let at = this.nextSlot(started - backfillMs - 1);
    const history: TelemetrySample[] = [];
    for (; at <= started; at += this.fleet.intervalMs) history.push(this.measure(at));
    this.enqueue(history);
    // `at` is now the first slot after start: the one before it is the last measured.
    return at - this.fleet.intervalMs;
  }

  /**
   * Measures the slot after `previous`, on time. The next slot comes from the slot, never from
   * the clock: a timer may fire a little before its time (Date.now() still short of the slot),
   * and asking the clock for "the next slot" then would measure the same slot twice. Slots that
   * a stalled process overslept are skipped, as a real agent cannot measure the past.
   */
  schedule(previous: number): void {
    const { fleet } = this;
    if (fleet.isStopped()) return;
    let at = previous + fleet.intervalMs;
    const current = fleet.now();
    if (at < current - fleet.intervalMs) at = this.nextSlot(current);
    this.timer = setTimeout(() => {
      if (fleet.isStopped()) return;
      this.enqueue([this.measure(at)]);
      void this.send();
      this.schedule(at);
    }, Math.max(0, at - fleet.now()));
    this.timer.unref?.();
  }

  send(): Promise<void> {
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  /** Sends the queue in batches until it is empty, the console fails, or the fleet stops. */
  private async drain(): Promise<void> {
    const { fleet } = this;
    const { stats } = fleet;
    while (!fleet.isStopped() && this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_BATCH);
      let answer: Answer;
      try {
        answer = await fleet.transport.post(JSON.stringify({ samples: batch }), this.agent.token);
      } catch (error) {
        if (fleet.isStopped() && (error as Error).message === "fleet stopped") return;
        stats.failures++;
        this.failed(`cannot reach the console: ${(error as Error).message}`);
        return;
      }
      const verdict = judgeAnswer(answer);
      switch (verdict.kind) {
        case "accepted":
          stats.requests++;
          stats.accepted += verdict.accepted;
          stats.duplicates += verdict.duplicates;
          this.forget(batch);
          if (this.lastLogged) fleet.log(`agent ${this.name()}: posting again`);
          this.lastLogged = undefined;
          if (this.queue.length > 0) await fleet.sleep(DRAIN_PAUSE_MS);
          break;
        case "wait":
          stats.rateLimited++;
          await fleet.sleep(verdict.ms);
          break;
        case "keep":
          stats.failures++;
          this.failed(verdict.message);
          return;
        case "drop":
          stats.refused += batch.length;
          this.forget(batch);
          this.failed(verdict.message);
          if (verdict.all) {
            stats.refused += this.queue.length;
            this.queue.length = 0;
          }
          break;
      }
    }
  }

  /** Takes sent (or refused) samples off the queue; new ones may have joined it meanwhile. */
  private forget(batch: TelemetrySample[]): void {
    const done = new Set(batch);
    this.queue = this.queue.filter((sample) => !done.has(sample));
  }

  private failed(message: string): void {
    this.fleet.stats.lastError = `${this.name()}: ${message}`;
    if (this.lastLogged !== message) this.fleet.log(`agent ${this.name()}: ${message}`);
    this.lastLogged = message;
  }

  private name(): string {
    return `${this.agent.endpointId} (${this.agent.side})`;
  }
}

export function startSimulatedFleet(options: FleetOptions): SimulatedFleet {
  const intervalMs = options.intervalMs ?? 10_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new RangeError(`intervalMs must be at least 10 ms, not ${intervalMs}.`);
  const backfillMs = options.backfillMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;
  let stopped = false;
  const transport = createAgentTransport(new URL("/api/v1/telemetry", options.consoleUrl), { ca: options.ca, servername: options.servername, isStopping: () => stopped });
  const { sleep, wakeAll } = createSleeper();
  const stats: FleetStats = {
    agents: options.agents.length,
    requests: 0,
    accepted: 0,
    duplicates: 0,
    rateLimited: 0,
    refused: 0,
    failures: 0,
    queued: 0,
    backfilled: 0,
    lastError: null,
  };
  const shared: FleetShared = {
    transport,
    stats,
    sleep,
    now,
    log: options.log ?? ((message: string) => console.warn(`[fleet] ${message}`)),
    intervalMs,
    isStopped: () => stopped,
  };
  const runs = options.agents.map((agent, index) => new AgentRun(agent, Math.floor((index * intervalMs) / Math.max(1, options.agents.length)), shared));

  const started = now();
  const backfills = runs.map(async (run) => {
    run.schedule(run.backfill(started, backfillMs));
    await run.send();
    stats.backfilled++;
  });

  return {
    stats: () => ({ ...stats, queued: runs.reduce((sum, run) => sum + run.queue.length, 0) }),
    backfilled: Promise.all(backfills).then(() => undefined),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const run of runs) clearTimeout(run.timer);
      wakeAll();
      // A request already sent is let finish, so what the console stored is what stats() counts;
      // one the console does not answer soon is cut off.
      const cutOff = setTimeout(() => transport.cutOff("fleet stopped"), STOP_GRACE_MS);
      await Promise.all(runs.map((run) => run.sending));
      clearTimeout(cutOff);
      transport.close();
    },
  };
}

/** What an agent does with the console's answer to a batch. */
export type Verdict =
  | { kind: "accepted"; accepted: number; duplicates: number }
  /** 429: wait as long as Retry-After says (1 s when it says nothing usable), then send again. */
  | { kind: "wait"; ms: number }
  /** 5xx: the console is in trouble; keep the samples for the next round. */
  | { kind: "keep"; message: string }
  /** 400, 401, 413: the same samples would be refused again. A 401 refuses the whole queue. */
  | { kind: "drop"; message: string; all: boolean };

export function judgeAnswer(answer: Answer): Verdict {
  if (answer.status === 202) {
    const { accepted = 0, duplicates = 0 } = parseJson(answer.body) as { accepted?: number; duplicates?: number };
    return { kind: "accepted", accepted, duplicates };
  }
  if (answer.status === 429) {
    const seconds = Number(answer.retryAfter);
    return { kind: "wait", ms: (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000 };
  }
  if (answer.status >= 500) return { kind: "keep", message: `the console answered ${answer.status}; keeping the samples for later` };
  return { kind: "drop", message: `refused with ${answer.status}: ${answer.body.slice(0, 200)}`, all: answer.status === 401 };
}

/** Sleeps that stop() can cut short all at once. */
function createSleeper() {
  const sleepers = new Set<() => void>();
  return {
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        sleepers.add(wake);
      }),
    wakeAll: () => {
      for (const wake of [...sleepers]) wake();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** A stable seed from an id (FNV-1a), for agents given none. */
export function seedFromId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
