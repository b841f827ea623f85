/**
 * Idempotency-Key on adding a tunnel: a script that lost the answer and sends the POST again must
 * not end up with a primary and a standby it never asked for. The retry answers the first result.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { POST as onboard } from "@/app/api/v1/tenants/route";
import { POST as addTunnel } from "@/app/api/v1/tenants/[slug]/tunnels/route";
import type { Database } from "@/lib/db/client";
import { tenants, tunnels } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { useTestApp } from "./support/personas";

let db: Database;
let token: string;

beforeAll(async () => {
  db = await useTestApp();
  token = (await makeApiToken({ name: "tunnel-script", scope: "write" })).token;
  const [contoso] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
  const onboarded = await callApi(onboard, {
    token, method: "POST", path: "/api/v1/tenants",
    body: {
      privateCloudId: contoso!.privateCloudId, slug: "retry-tunnels", displayName: "Retry Tunnels", contacts: [{ name: "Ada", email: "ada@example.com" }],
      sourceEnvironment: "bare-metal", transport: "ipsec-vpn", subnet: "172.31.41.0/24", gatewayLocation: "source", sourceGatewayUnderlayIp: "198.51.100.41",
    },
  });
  expect(onboarded.status).toBe(201);
});

describe("POST /api/v1/tenants/{slug}/tunnels with an Idempotency-Key", () => {
  it("adds one tunnel however often the same request is sent, and refuses the key for another body", async () => {
    const body = { name: "primary", source: { hostname: "retry-gw1", underlayIp: "198.51.100.41" }, avs: { hostname: "retry-bridge1", underlayIp: "10.120.9.10" } };
    const send = (b: unknown) =>
      callApi(addTunnel, { token, method: "POST", path: "/api/v1/tenants/retry-tunnels/tunnels", params: { slug: "retry-tunnels" }, body: b, headers: { "idempotency-key": "add-primary-1" } });
    const first = await send(body);
    expect(first.status).toBe(201);
    const retry = await send(body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(await first.json());
    const [tenant] = await db.select().from(tenants).where(eq(tenants.slug, "retry-tunnels"));
    expect(await db.select().from(tunnels).where(eq(tunnels.tenantId, tenant!.id))).toHaveLength(1);
    expect((await send({ ...body, name: "standby" })).status).toBe(422);
  });
});
