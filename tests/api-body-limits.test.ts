/**
 * A body over the limit is refused with 413 as soon as the limit is passed, not after the whole
 * of it sits in memory: a script (or a leaked token) streaming a huge body must not take the
 * server's memory with it. The body here is counted as it is pulled.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { POST as importTenants } from "@/app/api/v1/tenant-imports/route";
import { POST as onboard } from "@/app/api/v1/tenants/route";
import { MAX_JSON_BYTES } from "@/lib/api/request";
import { makeApiToken } from "./support/api-client";
import { CONSOLE_ORIGIN, useTestApp } from "./support/personas";

const CHUNK = 64 * 1024;
const IMPORT_LIMIT = 4 * 1024 * 1024;
let token: string;

beforeAll(async () => {
  await useTestApp();
  token = (await makeApiToken({ name: "big-sender", scope: "write" })).token;
});

/** A body of `total` bytes of JSON-ish filler, handed out a chunk at a time; counts what was pulled. */
function countedBody(total: number) {
  const counter = { pulled: 0 };
  const chunk = new TextEncoder().encode(" ".repeat(CHUNK));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled * CHUNK >= total) return controller.close();
      counter.pulled++;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

function post(path: string, contentType: string, body: ReadableStream<Uint8Array>) {
  const request = new Request(`${CONSOLE_ORIGIN}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body,
    duplex: "half",
  } as RequestInit);
  return { request, params: { params: Promise.resolve({}) } };
}

describe("request bodies over the limit", () => {
  it("onboarding stops reading a JSON body once it passes the limit", async () => {
    const { stream, counter } = countedBody(64 * 1024 * 1024);
    const { request, params } = post("/api/v1/tenants", "application/json", stream);
    const response = await onboard(request, params);
    expect(response.status).toBe(413);
    // The limit, plus what the stream had queued ahead: far from the 64 MiB sent.
    expect(counter.pulled * CHUNK).toBeLessThan(MAX_JSON_BYTES + 4 * CHUNK);
  });

  it("bulk onboarding stops reading once it passes its limit", async () => {
    const { stream, counter } = countedBody(64 * 1024 * 1024);
    const { request, params } = post("/api/v1/tenant-imports?mode=dry-run", "text/csv", stream);
    const response = await importTenants(request, params);
    expect(response.status).toBe(413);
    expect(counter.pulled * CHUNK).toBeLessThan(IMPORT_LIMIT + 4 * CHUNK);
  });

  it("a declared Content-Length over the limit is refused before reading", async () => {
    const { stream, counter } = countedBody(2 * MAX_JSON_BYTES);
    const { request, params } = post("/api/v1/tenants", "application/json", stream);
    request.headers.set("content-length", String(2 * MAX_JSON_BYTES));
    const response = await onboard(request, params);
    expect(response.status).toBe(413);
    expect(counter.pulled).toBeLessThanOrEqual(1);
  });
});
