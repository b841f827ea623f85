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
import http from "node:http";
import https from "node:https";
import { MAX_BATCH, type TelemetrySample } from "@/lib/validation/telemetry";
import { sampleFor, type Scenario, type TunnelFacts } from "./scenarios";

export type SimulatedAgent = {
  endpointId: string;
  token: string;
  side: "source" | "avs";
  scenario: Scenario;
  tunnel: TunnelFacts;
  /** One per tunnel, so both ends of a tunnel agree on its base latency and hops; defaults to one from the endpoint id. */
  seed?: number;
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
  /**
   * Asked when the console refuses an agent's token (401): the endpoint's token as it stands now,
   * or null. The demo reads it back from the database, as an operator redeploys a rotated token;
   * without it a refused agent drops its samples and keeps its token.
   */
  refreshToken?: (endpointId: string) => Promise<string | null>;
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
const REQUEST_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
/** Between two batches of one agent's backlog: under the API's 2 requests a second. */
const DRAIN_PAUSE_MS = 600;

type Answer = { status: number; retryAfter: string | undefined; body: string };

type AgentState = {
  agent: SimulatedAgent;
  seed: number;
  offsetMs: number;
  queue: TelemetrySample[];
  timer?: NodeJS.Timeout;
  sending?: Promise<void>;
  /** Last failure logged, so one outage is one line rather than one per interval. */
  lastLogged?: string;
};

export function startSimulatedFleet(options: FleetOptions): SimulatedFleet {
  const intervalMs = options.intervalMs ?? 10_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new RangeError(`intervalMs must be at least 10 ms, not ${intervalMs}.`);
  const backfillMs = options.backfillMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.warn(`[fleet] ${message}`));
  const url = new URL("/api/v1/telemetry", options.consoleUrl);
  const secure = url.protocol === "https:";
  // Keep-alive: an agent holds its connection open between posts, as a real one would.
  const agentPool = secure
    ? new https.Agent({ keepAlive: true, ca: options.ca, servername: options.servername })
    : new http.Agent({ keepAlive: true });
  const inFlight = new Set<http.ClientRequest>();
  const sleepers = new Set<() => void>();
  let stopped = false;
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

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const states: AgentState[] = options.agents.map((agent, index) => ({
    agent,
    seed: agent.seed ?? seedFromId(agent.endpointId),
    // Spread over the interval so twenty agents are not twenty requests in the same millisecond.
    offsetMs: Math.floor((index * intervalMs) / Math.max(1, options.agents.length)),
    queue: [],
  }));

  const measure = (state: AgentState, at: number): TelemetrySample =>
    sampleFor(state.agent.scenario, { side: state.agent.side, tick: Math.round((at - state.offsetMs) / intervalMs), at: new Date(at), seed: state.seed, tunnel: state.agent.tunnel });

  const enqueue = (state: AgentState, samples: TelemetrySample[]) => {
    state.queue.push(...samples);
    if (state.queue.length > MAX_QUEUED) state.queue.splice(0, state.queue.length - MAX_QUEUED);
  };

  const failed = (state: AgentState, message: string) => {
    stats.lastError = `${state.agent.endpointId} (${state.agent.side}): ${message}`;
    if (state.lastLogged !== message) log(`agent ${state.agent.endpointId} (${state.agent.side}): ${message}`);
    state.lastLogged = message;
  };

  /** Takes sent (or refused) samples off the queue; new ones may have joined it meanwhile. */
  const forget = (state: AgentState, batch: TelemetrySample[]) => {
    const done = new Set(batch);
    state.queue = state.queue.filter((sample) => !done.has(sample));
  };

  /** True when the endpoint now has another token than the one refused, which the agent takes. */
  const pickUpRotatedToken = async (state: AgentState): Promise<boolean> => {
    if (!options.refreshToken) return false;
    let token: string | null;
    try {
      token = await options.refreshToken(state.agent.endpointId);
    } catch (error) {
      failed(state, `could not read its rotated token: ${(error as Error).message}`);
      return false;
    }
    if (!token || token === state.agent.token) return false;
    state.agent = { ...state.agent, token };
    log(`agent ${state.agent.endpointId} (${state.agent.side}): token was rotated; now using the new one`);
    return true;
  };

  /** Sends the agent's queue in batches until it is empty, the console fails, or the fleet stops. */
  const drain = async (state: AgentState) => {
    while (!stopped && state.queue.length > 0) {
      const batch = state.queue.slice(0, MAX_BATCH);
      let response: Answer;
      try {
        response = await post(batch, state.agent.token);
      } catch (error) {
        if (stopped && (error as Error).message === "fleet stopped") return;
        stats.failures++;
        failed(state, `cannot reach the console: ${(error as Error).message}`);
        return;
      }
      if (response.status === 202) {
        const { accepted = 0, duplicates = 0 } = parseJson(response.body) as { accepted?: number; duplicates?: number };
        stats.requests++;
        stats.accepted += accepted;
        stats.duplicates += duplicates;
        forget(state, batch);
        if (state.lastLogged) log(`agent ${state.agent.endpointId} (${state.agent.side}): posting again`);
        state.lastLogged = undefined;
        if (state.queue.length > 0) await sleep(DRAIN_PAUSE_MS);
      } else if (response.status === 429) {
        stats.rateLimited++;
        const seconds = Number(response.retryAfter);
        await sleep((Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000);
      } else if (response.status >= 500) {
        stats.failures++;
        failed(state, `the console answered ${response.status}; keeping the samples for later`);
        return;
      } else if (response.status === 401 && (await pickUpRotatedToken(state))) {
        // Sent again at once with the token the endpoint has now.
        continue;
      } else {
        // 400, 401, 413: sending the same samples again would be refused again.
        stats.refused += batch.length;
        forget(state, batch);
        failed(state, `refused with ${response.status}: ${response.body.slice(0, 200)}`);
        if (response.status === 401) {
          stats.refused += state.queue.length;
          state.queue.length = 0;
        }
      }
    }
  };

  const send = (state: AgentState) => {
    state.sending ??= drain(state).finally(() => {
      state.sending = undefined;
    });
    return state.sending;
  };

  const post = async (samples: TelemetrySample[], token: string): Promise<Answer> => {
    const body = JSON.stringify({ samples });
    try {
      return await postOnce(body, token);
    } catch (error) {
      // A kept-alive connection the console closed just as we reused it: try once on a new one.
      // Safe to repeat, since the console counts a re-sent sample as a duplicate.
      if ((error as { reusedSocket?: boolean }).reusedSocket && (error as NodeJS.ErrnoException).code === "ECONNRESET" && !stopped) return postOnce(body, token);
      throw error;
    }
  };

  const postOnce = (body: string, token: string) =>
    new Promise<Answer>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: "POST",
          agent: agentPool,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => {
            inFlight.delete(request);
            const retryAfter = response.headers["retry-after"];
            resolve({ status: response.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: text });
          });
          response.on("error", reject);
        },
      );
      inFlight.add(request);
      request.on("timeout", () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
      request.on("error", (error) => {
        inFlight.delete(request);
        reject(Object.assign(error, { reusedSocket: request.reusedSocket }));
      });
      request.end(body);
    });

  /** The next grid time of this agent strictly after `t`. */
  const nextSlot = (state: AgentState, t: number) => nextSlotAfter(t, state.offsetMs, intervalMs);

  /** From the slot just measured, not from the clock alone: a timer that fires early must not measure that slot again. */
  const schedule = (state: AgentState, measured: number) => {
    if (stopped) return;
    const at = nextSlot(state, Math.max(measured, now()));
    state.timer = setTimeout(() => {
      if (stopped) return;
      enqueue(state, [measure(state, at)]);
      void send(state);
      schedule(state, at);
    }, Math.max(0, at - now()));
    state.timer.unref?.();
  };

  const started = now();
  const backfills = states.map(async (state) => {
    const history: TelemetrySample[] = [];
    for (let at = nextSlot(state, started - backfillMs - 1); at <= started; at += intervalMs) history.push(measure(state, at));
    enqueue(state, history);
    schedule(state, started);
    await send(state);
    stats.backfilled++;
  });

  return {
    stats: () => ({ ...stats, queued: states.reduce((sum, s) => sum + s.queue.length, 0) }),
    backfilled: Promise.all(backfills).then(() => undefined),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const state of states) clearTimeout(state.timer);
      for (const wake of [...sleepers]) wake();
      // A request already sent is let finish, so what the console stored is what stats() counts;
      // one the console does not answer soon is cut off.
      const cutOff = setTimeout(() => {
        for (const request of inFlight) request.destroy(new Error("fleet stopped"));
      }, STOP_GRACE_MS);
      await Promise.all(states.map((s) => s.sending));
      clearTimeout(cutOff);
      agentPool.destroy();
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

/**
 * The next time on an agent's grid (offset + k × interval) strictly after `t`. Given the later
 * of the last slot measured and the clock, an early timer gets the slot after the one it just
 * measured, and a late one skips the slots it missed.
 */
export function nextSlotAfter(t: number, offsetMs: number, intervalMs: number): number {
  return (Math.floor((t - offsetMs) / intervalMs) + 1) * intervalMs + offsetMs;
}

/** A stable seed from an id (FNV-1a), for agents given none. */
export function seedFromId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
