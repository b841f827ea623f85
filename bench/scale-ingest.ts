/**
 * Ingest capacity under the mixed load (issue 16: ≥ 5,000 samples/s at 1,000 tunnels on PGlite,
 * ≥ 20,000/s on PostgreSQL with two instances): for a while, the fleet's agents post backlogs
 * (batches of 200, as an agent does after an outage) as fast as the consoles accept them, a fixed
 * number of requests in flight, spread over the agents (each stays far below its rate limit)
 * and over the consoles. Everything else keeps running: the agents' regular posts, the wall,
 * the consoles' evaluation, roll-ups and retention.
 *
 * The samples are a backlog from two days ago, one a second per agent, none measured before, so
 * every one is a new row (the same unique key as a real late batch).
 */
import type { TelemetrySample } from "@/lib/validation/telemetry";
import { request, sampleOf, type FleetAgent, type RunningConsole } from "./scale-fleet";

const BATCH = 200;
/** Requests in flight at once, as in bench/ingest.ts. */
const IN_FLIGHT = 24;

export type IngestCapacity = { seconds: number; accepted: number; requests: number; refused: number; failed: number };

export async function measureIngestCapacity(consoles: RunningConsole[], agents: FleetAgent[], seconds: number): Promise<IngestCapacity> {
  const backlogFrom = Date.now() - 2 * 86_400_000;
  const sent = agents.map(() => 0);
  let next = 0;
  let accepted = 0;
  let requests = 0;
  let refused = 0;
  let failed = 0;
  const batchOf = (i: number): TelemetrySample[] => {
    const agent = agents[i]!;
    const first = sent[i]!;
    sent[i] = first + BATCH;
    return Array.from({ length: BATCH }, (_, k) => sampleOf(agent, new Date(backlogFrom + (first + k) * 1_000)));
  };

  const started = performance.now();
  const deadline = started + seconds * 1_000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++ % agents.length;
      const body = JSON.stringify({ samples: batchOf(i) });
      try {
        const answer = await request(consoles[i % consoles.length]!, "POST", "/api/v1/telemetry", { authorization: `Bearer ${agents[i]!.token}`, "content-type": "application/json" }, body);
        requests += 1;
        if (answer.status === 202) accepted += BATCH;
        else refused += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { seconds: (performance.now() - started) / 1_000, accepted, requests, refused, failed };
}
