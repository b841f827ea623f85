/**
 * PUT /api/v1/vlan-pools/{cloudId} with If-Match, as the tenant PATCH: the ETag of GET, a stale
 * or weak one answering 412 with the rules untouched, checked again under the pool's lock so a
 * save racing another still cannot overwrite it.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

/** Runs once, right after the route's next read of the pool's version: another operator's save. */
let afterNextVersion: (() => Promise<void>) | null = null;

vi.mock("@/lib/queries/pools", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/queries/pools")>();
  return {
    ...original,
    getPoolVersion: async (...args: Parameters<typeof original.getPoolVersion>) => {
      const version = await original.getPoolVersion(...args);
      const hook = afterNextVersion;
      afterNextVersion = null;
      if (hook) await hook();
      return version;
    },
  };
});

import { GET as getPool, PUT as putPool } from "@/app/api/v1/vlan-pools/[cloudId]/route";
import type { Principal } from "@/lib/auth/permissions";
import { updateVlanPool } from "@/lib/commands/vlan-pools";
import type { Database } from "@/lib/db/client";
import { tenants, vlanPools } from "@/lib/db/schema";
import { updatePoolInput } from "@/lib/validation/pool";
import { callApi, makeApiToken } from "./support/api-client";
import { useTestApp } from "./support/personas";

type Handler = Parameters<typeof callApi<{ cloudId: string }>>[0];

const OTHER_OPERATOR: Principal = { kind: "user", userId: "u-other", signInName: "other@bridgehead.example", name: "Other", roles: ["admin"], tenant: null };

let db: Database;
let token: string;
let cloudId: string;

const get = async () => {
  const response = await callApi(getPool as Handler, { token, path: `/api/v1/vlan-pools/${cloudId}`, params: { cloudId } });
  expect(response.status).toBe(200);
  return { etag: response.headers.get("etag")!, pool: (await response.json()) as { ranges: string; quarantineDays: number } };
};
const put = (body: Record<string, unknown>, ifMatch?: string) =>
  callApi(putPool as Handler, { token, method: "PUT", path: `/api/v1/vlan-pools/${cloudId}`, params: { cloudId }, body, headers: ifMatch ? { "if-match": ifMatch } : {} });
const stored = async () => (await db.select().from(vlanPools).where(eq(vlanPools.privateCloudId, cloudId)))[0];

beforeAll(async () => {
  db = await useTestApp();
  cloudId = (await db.select({ cloud: tenants.privateCloudId }).from(tenants).where(eq(tenants.slug, "contoso")))[0]!.cloud;
  token = (await makeApiToken({ name: "pool-writer", scope: "write" })).token;
});

describe("If-Match on the VLAN pool", () => {
  it("saves with the current ETag and answers the new one; the old one is then stale (412) and changes nothing", async () => {
    const { etag, pool } = await get();
    const saved = await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 11 }, etag);
    expect(saved.status).toBe(200);
    const next = saved.headers.get("etag");
    expect(next).not.toBe(etag);
    expect((await get()).etag).toBe(next);

    const stale = await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 99 }, etag);
    expect(stale.status).toBe(412);
    expect(stale.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect((await stored())!.quarantineDays).toBe(11);
  });

  it("moves the version on every save, even two within one millisecond", async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const { etag, pool } = await get();
      const first = await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 14 }, etag);
      const second = await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 15 }, first.headers.get("etag")!);
      expect(second.status).toBe(200);
      expect(second.headers.get("etag")).not.toBe(first.headers.get("etag"));
      // The first save's ETag is stale although the clock did not move.
      expect((await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 16 }, first.headers.get("etag")!)).status).toBe(412);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a weak tag even of the current version, and goes ahead without If-Match as before", async () => {
    const { etag, pool } = await get();
    expect((await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 12 }, `W/${etag}`)).status).toBe(412);
    expect((await stored())?.quarantineDays).not.toBe(12);
    expect((await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 13 })).status).toBe(200);
    expect((await stored())!.quarantineDays).toBe(13);
  });

  it("answers 412 when another save lands between the route's check and the write", async () => {
    const { etag, pool } = await get();
    afterNextVersion = async () => {
      const other = updatePoolInput.parse({ privateCloudId: cloudId, ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 21 });
      expect(await updateVlanPool(db, OTHER_OPERATOR, other)).toMatchObject({ ok: true });
    };
    const response = await put({ ranges: pool.ranges, reserved: "1,1002-1005", quarantineDays: 22 }, etag);
    expect(response.status).toBe(412);
    expect((await stored())!.quarantineDays).toBe(21);
  });
});
