import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { POST as ingest } from "@/app/api/v1/telemetry/route";
import { revokePreviousAgentToken } from "@/lib/actions/tunnels/revoke-previous-agent-token";
import { rotateAgentToken } from "@/lib/actions/tunnels/rotate-agent-token";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import type { Database } from "@/lib/db/client";
import { telemetrySamples, tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { MAX_BATCH } from "@/lib/validation/telemetry";
import { callAction, CONSOLE_ORIGIN, useTestApp } from "./support/personas";
import { agentSample } from "./support/telemetry-fixtures";

let db: Database;
const endpointOf: Record<string, string> = {};

beforeAll(async () => {
  db = await useTestApp();
  const rows = await db
    .select({ slug: tenants.slug, side: tunnelEndpoints.side, id: tunnelEndpoints.id })
    .from(tunnelEndpoints)
    .innerJoin(tunnels, eq(tunnels.id, tunnelEndpoints.tunnelId))
    .innerJoin(tenants, eq(tenants.id, tunnels.tenantId));
  for (const row of rows) endpointOf[`${row.slug}/${row.side}`] = row.id;
});

async function tokenFor(endpoint: string): Promise<string> {
  const rotated = await callAction(rotateAgentToken, { id: endpointOf[endpoint]! }, { as: "admin" });
  if (!rotated.ok) throw new Error(rotated.message);
  return rotated.data.token;
}

function post(body: unknown, token: string | null, raw?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  return ingest(new Request(`${CONSOLE_ORIGIN}/api/v1/telemetry`, { method: "POST", headers, body: raw ?? JSON.stringify(body) }), {
    params: Promise.resolve({}),
  });
}

async function storedFor(endpoint: string) {
  return db.select().from(telemetrySamples).where(eq(telemetrySamples.endpointId, endpointOf[endpoint]!));
}

describe("POST /api/v1/telemetry", () => {
  it("stores a batch, counts re-sends as duplicates, and records when the agent last reported", async () => {
    const token = await tokenFor("contoso/source");
    const batch = { samples: [agentSample(3), agentSample(2), agentSample(1)] };
    const first = await post(batch, token);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });

    const newest = agentSample(0.5);
    const again = await post({ samples: [...batch.samples, newest] }, token);
    expect(await again.json()).toEqual({ accepted: 1, duplicates: 3 });
    const rows = await storedFor("contoso/source");
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ rttMs: 12.5, dfProbeBytes: 1377, dfProbeOk: true, learnedMacs: 14, txBytes: 1_000_000 });
    expect(rows[0]!.path).toEqual([{ ttl: 1, address: "198.51.100.1", rttMs: 0.3 }, { ttl: 2, address: null, rttMs: null }]);
    const [endpoint] = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, endpointOf["contoso/source"]!));
    expect(endpoint!.lastSampleAt!.toISOString()).toBe(newest.measuredAt);
  });

  it("takes a single sample without the batch envelope", async () => {
    const token = await tokenFor("contoso/avs");
    const response = await post(agentSample(1, { rttMs: 40 }), token);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("refuses a bad field with 400 naming it, and stores nothing of that batch", async () => {
    const token = await tokenFor("fabrikam/source");
    const response = await post({ samples: [agentSample(2), agentSample(1, { rttMs: -4, path: [{ ttl: 1, address: "not-an-ip", rttMs: 1 }] }), agentSample(0.1, { measuredAt: "yesterday" })] }, token);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; fields: Record<string, string[]> };
    expect(body.error).toBe("Some fields are wrong; nothing was stored.");
    expect(Object.keys(body.fields).sort()).toEqual(["samples.1.path.0.address", "samples.1.rttMs", "samples.2.measuredAt"]);
    expect(await storedFor("fabrikam/source")).toHaveLength(0);

    const unknownField = await post({ samples: [agentSample(1, { hacked: true })] }, token);
    expect(unknownField.status).toBe(400);
    const future = await post({ samples: [agentSample(-60)] }, token);
    expect(((await future.json()) as { fields: Record<string, string[]> }).fields["samples.0.measuredAt"]).toEqual([
      "More than 5 minutes in the future: check the agent's clock (NTP).",
    ]);
    expect((await post(null, token, "{not json")).status).toBe(400);
    expect(await storedFor("fabrikam/source")).toHaveLength(0);
  });

  it("refuses a missing, unknown or revoked token with 401, and an offboarded tenant's token; a rotated one works through its grace window", async () => {
    expect((await post({ samples: [agentSample(1)] }, null)).status).toBe(401);
    expect((await post({ samples: [agentSample(1)] }, `agt_${"x".repeat(43)}`)).status).toBe(401);
    const old = await tokenFor("fabrikam/avs");
    const current = await tokenFor("fabrikam/avs");
    expect((await post({ samples: [agentSample(1)] }, old)).status).toBe(202);
    expect(await callAction(revokePreviousAgentToken, { id: endpointOf["fabrikam/avs"]! }, { as: "admin" })).toMatchObject({ ok: true });
    const revoked = await post({ samples: [agentSample(1)] }, old);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await post({ samples: [agentSample(1)] }, current)).status).toBe(202);

    // The token is refused for an offboarding tenant even before offboarding clears it.
    const [fabrikam] = await db.select().from(tenants).where(eq(tenants.slug, "fabrikam"));
    await db.update(tenants).set({ state: "offboarding" }).where(eq(tenants.id, fabrikam!.id));
    expect((await post({ samples: [agentSample(0.6)] }, current)).status).toBe(401);
    await db.update(tenants).set({ state: "active" }).where(eq(tenants.id, fabrikam!.id));
    await offboardTenant(db, null, fabrikam!.id);
    expect((await post({ samples: [agentSample(0.5)] }, current)).status).toBe(401);
  });

  it("refuses an oversized batch with 413 before reading its samples", async () => {
    const token = await tokenFor("contoso/source");
    const big = { samples: Array.from({ length: MAX_BATCH + 1 }, (_, i) => agentSample(i / 100)) };
    const response = await post(big, token);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ status: 413, error: `A batch holds at most ${MAX_BATCH} samples; this one has ${MAX_BATCH + 1}. Send it in parts.` });
  });

  it("answers 429 with Retry-After to an agent sending too fast", async () => {
    const token = await tokenFor("contoso/avs");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 30; i++) {
      const response = await post({ samples: [agentSample(10 + i)] }, token);
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get("retry-after");
    }
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(19);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("publishes the ingest contract from the same schema", async () => {
    const response = await openapi(new Request(`${CONSOLE_ORIGIN}/api/v1/openapi.json`), { params: Promise.resolve({}) });
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, { post: { responses: Record<string, unknown> } }>;
      components: { schemas: { Sample: { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean } } };
    };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths["/api/v1/telemetry"]!.post.responses).sort()).toEqual(["202", "400", "401", "413", "429", "503"]);
    expect(document.components.schemas.Sample.required).toEqual(["measuredAt"]);
    expect(Object.keys(document.components.schemas.Sample.properties)).toEqual(
      expect.arrayContaining(["rttMs", "jitterMs", "lossPct", "dfProbe", "path", "counters", "bumPps", "learnedMacs"]),
    );
    expect(document.components.schemas.Sample.additionalProperties).toBe(false);
  });
});
