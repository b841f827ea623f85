/**
 * PATCH /api/v1/tenants/{slug} without If-Match promises that fields left out keep their values.
 * It merges the body into the tenant it read, so a change someone else commits between that read
 * and the edit's transaction must not be written back over with the old value (a lost update).
 * The other writer is slotted in deterministically, right after the route's read.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

/** Runs once, right after the next read of a tenant for editing: another writer's change. */
let afterNextRead: (() => Promise<void>) | null = null;
/** Runs once, right before the next read of a tenant's version (its ETag). */
let beforeNextVersion: (() => Promise<void>) | null = null;

vi.mock("@/lib/queries/tenants", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/queries/tenants")>();
  return {
    ...original,
    getEditableTenant: async (...args: Parameters<typeof original.getEditableTenant>) => {
      const row = await original.getEditableTenant(...args);
      const hook = afterNextRead;
      afterNextRead = null;
      if (hook) await hook();
      return row;
    },
    getTenantVersion: async (...args: Parameters<typeof original.getTenantVersion>) => {
      const hook = beforeNextVersion;
      beforeNextVersion = null;
      if (hook) await hook();
      return original.getTenantVersion(...args);
    },
  };
});

import { GET as getTenant, PATCH as editTenant } from "@/app/api/v1/tenants/[slug]/route";
import type { Database } from "@/lib/db/client";
import { tenants } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { useTestApp } from "./support/personas";

let db: Database;
let token: string;

beforeAll(async () => {
  db = await useTestApp();
  token = (await makeApiToken({ name: "race-writer", scope: "write" })).token;
});

describe("PATCH /api/v1/tenants/{slug} racing another edit", () => {
  it("keeps the other writer's change to a field the PATCH left out", async () => {
    await db.update(tenants).set({ latencyObjectiveMs: 20 }).where(eq(tenants.slug, "contoso"));
    afterNextRead = async () => {
      await db.update(tenants).set({ latencyObjectiveMs: 42, updatedAt: new Date() }).where(eq(tenants.slug, "contoso"));
    };
    const response = await callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/contoso", params: { slug: "contoso" }, body: { displayName: "Contoso Renamed" } });
    expect(response.status).toBe(200);
    expect(afterNextRead).toBeNull();
    const [row] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
    expect(row).toMatchObject({ displayName: "Contoso Renamed", latencyObjectiveMs: 42 });
  });

  it("still answers 412 to a stale If-Match, however the race falls", async () => {
    const etag = (await callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/contoso", params: { slug: "contoso" }, body: {} })).headers.get("etag")!;
    afterNextRead = async () => {
      await db.update(tenants).set({ latencyObjectiveMs: 43, updatedAt: new Date() }).where(eq(tenants.slug, "contoso"));
    };
    const response = await callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/contoso", params: { slug: "contoso" }, body: { displayName: "Contoso Again" }, headers: { "if-match": etag } });
    expect(response.status).toBe(412);
    const [row] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
    expect(row).toMatchObject({ displayName: "Contoso Renamed", latencyObjectiveMs: 43 });
  });

  it("never pairs a body with a newer ETag: an If-Match from a GET that raced an edit is stale", async () => {
    beforeNextVersion = async () => {
      await db.update(tenants).set({ displayName: "Contoso Meanwhile", updatedAt: new Date() }).where(eq(tenants.slug, "contoso"));
    };
    const read = await callApi(getTenant, { token, path: "/api/v1/tenants/contoso", params: { slug: "contoso" } });
    expect(beforeNextVersion).toBeNull();
    const seen = (await read.json()) as { displayName: string };
    // The script edits on the strength of what it saw: the ETag may vouch for that and nothing newer.
    const edited = await callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/contoso", params: { slug: "contoso" }, body: { displayName: `${seen.displayName} (EU)` }, headers: { "if-match": read.headers.get("etag")! } });
    const [row] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
    if (seen.displayName === "Contoso Meanwhile") {
      expect(edited.status).toBe(200);
      expect(row!.displayName).toBe("Contoso Meanwhile (EU)");
    } else {
      expect(edited.status).toBe(412);
      expect(row!.displayName).toBe("Contoso Meanwhile");
    }
  });
});

describe("If-Match on PATCH /api/v1/tenants/{slug}, as RFC 9110 reads it", () => {
  const patch = (ifMatch: string, displayName: string) =>
    callApi(editTenant, { token, method: "PATCH", path: "/api/v1/tenants/fabrikam", params: { slug: "fabrikam" }, body: { displayName }, headers: { "if-match": ifMatch } });
  const current = async () => (await callApi(getTenant, { token, path: "/api/v1/tenants/fabrikam", params: { slug: "fabrikam" } })).headers.get("etag")!;
  const name = async () => (await db.select({ displayName: tenants.displayName }).from(tenants).where(eq(tenants.slug, "fabrikam")))[0]!.displayName;

  it("never lets a weak tag vouch for an edit, even the current version's", async () => {
    const before = await name();
    const response = await patch(`W/${await current()}`, "Fabrikam Weak");
    expect(response.status).toBe(412);
    expect(await name()).toBe(before);
  });

  it("takes a list, going ahead when one strong tag in it is current and refusing when none is", async () => {
    const etag = await current();
    expect((await patch(`"0-stale", ${etag}`, "Fabrikam Listed")).status).toBe(200);
    expect(await name()).toBe("Fabrikam Listed");
    // The edit moved the version: the same list is all stale now.
    expect((await patch(`"0-stale", ${etag}`, "Fabrikam Twice")).status).toBe(412);
    expect(await name()).toBe("Fabrikam Listed");
  });

  it("reads * as 'if it exists' and refuses what is not an entity tag by name", async () => {
    expect((await patch("*", "Fabrikam Any")).status).toBe(200);
    const bad = await patch("v1", "Fabrikam Bare");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string[]> }).errors["If-Match"]).toHaveLength(1);
    expect(await name()).toBe("Fabrikam Any");
  });
});
