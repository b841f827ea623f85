import { describe, expect, it } from "vitest";
import { GroupCommitFull } from "@/lib/server/group-commit";
import { defineRoute, toPlainInput } from "./guards";

describe("toPlainInput", () => {
  it("passes objects through and turns dotted form fields into nested values", () => {
    expect(toPlainInput({ a: 1 })).toEqual({ a: 1 });
    const form = new FormData();
    form.set("$ACTION_ID_abc", "");
    form.set("slug", "acme");
    form.set("contacts.0.name", "Ada");
    form.set("contacts.0.email", "ada@example.com");
    form.set("contacts.2.name", "Bob");
    expect(toPlainInput(form)).toEqual({ slug: "acme", contacts: [{ name: "Ada", email: "ada@example.com" }, { name: "Bob" }] });
  });

  it("ignores field names that would reach the prototype", () => {
    const form = new FormData();
    form.set("__proto__.isAdmin", "yes");
    form.set("a.constructor.prototype.x", "1");
    const plain = toPlainInput(form) as Record<string, unknown>;
    expect(plain).toEqual({});
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe("defineRoute", () => {
  it("answers 503 with Retry-After when the database is too far behind to queue the request", async () => {
    const route = defineRoute({ access: "anonymous" }, async () => {
      throw new GroupCommitFull(5_000);
    });
    const response = await route(new Request("http://localhost/api/v1/telemetry"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("10");
    expect(await response.json()).toMatchObject({ detail: expect.stringContaining("5000 call(s) are already waiting") });
  });
});
