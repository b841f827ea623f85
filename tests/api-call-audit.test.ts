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
import { POST as importTenants } from "@/app/api/v1/tenant-imports/route";
import type { Database } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { callRoute, CONSOLE_ORIGIN, useTestApp } from "./support/personas";

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

describe("a token's caller that leaves in the middle of its body", () => {
  it("is no server failure: noted, audited as 400, not logged as a failure", async () => {
    const importer = (await makeApiToken({ name: "importer", scope: "write" })).token;
    // What Node's request stream does when the client's connection goes mid-body.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("privateCloudId,slug,displayName\n"));
        controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      },
    });
    const request = new Request(new URL("/api/v1/tenant-imports?mode=dry-run", CONSOLE_ORIGIN), {
      method: "POST",
      headers: { authorization: `Bearer ${importer}`, "content-type": "text/csv" },
      body,
      duplex: "half",
    } as RequestInit);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const notes = vi.spyOn(console, "info").mockImplementation(() => {});
    const response = await importTenants(request, { params: Promise.resolve({}) });
    const [logged, noted] = [errors.mock.calls, notes.mock.calls];
    errors.mockRestore();
    notes.mockRestore();
    expect(response.status).toBe(400);
    expect(logged).toEqual([]);
    expect(noted.flat().join(" ")).toContain("The client closed the connection before its body was complete.");
    const calls = await db.select().from(auditEvents).where(eq(auditEvents.actor, "token:importer"));
    expect(calls.map((c) => c.after)).toEqual([{ method: "POST", path: "/api/v1/tenant-imports", status: 400 }]);
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
