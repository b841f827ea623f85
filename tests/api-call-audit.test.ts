/**
 * Every call a token makes is in the audit trail under its name: one that fails inside the server
 * (500) too, as that is the call an auditor most wants to find.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

let failNext = false;
vi.mock("@/lib/queries/clouds", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/queries/clouds")>();
  return {
    ...original,
    listPrivateClouds: async (...args: Parameters<typeof original.listPrivateClouds>) => {
      if (failNext) {
        failNext = false;
        throw new Error("the database went away");
      }
      return original.listPrivateClouds(...args);
    },
  };
});

import { GET as listClouds } from "@/app/api/v1/private-clouds/route";
import type { Database } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { callRoute, useTestApp } from "./support/personas";

let db: Database;
let token: string;

beforeAll(async () => {
  db = await useTestApp();
  token = (await makeApiToken({ name: "unlucky", scope: "read" })).token;
});

describe("a token's call that fails in the server", () => {
  it("answers 500 without the internals and is audited under the token's name", async () => {
    failNext = true;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await callApi(listClouds, { token, path: "/api/v1/private-clouds" });
    errors.mockRestore();
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("database went away");
    const calls = await db.select().from(auditEvents).where(eq(auditEvents.actor, "token:unlucky"));
    expect(calls.map((c) => c.after)).toEqual([{ method: "GET", path: "/api/v1/private-clouds", status: 500 }]);
  });
});

describe("a signed-in user's call that fails in the server", () => {
  it("answers problem+json as a token's does, without the internals", async () => {
    failNext = true;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await callRoute(listClouds as Parameters<typeof callRoute>[0], { as: "admin", path: "/api/v1/private-clouds" });
    errors.mockRestore();
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { status: number; detail: string; error: string };
    expect(body).toMatchObject({ status: 500, detail: expect.stringMatching(/server log/), error: expect.stringMatching(/server log/) });
    expect(JSON.stringify(body)).not.toContain("database went away");
  });
});
