/**
 * The published contract: valid OpenAPI 3.1 by a real validator, and every route handler under
 * app/api/v1 present in it with the methods its file exports, so a new route cannot go unlisted.
 */
import fs from "node:fs";
import path from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./document";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every route.ts under app/api/v1 as an OpenAPI path ([slug] → {slug}) with its exported methods. */
function routesOnDisk(): { path: string; methods: string[] }[] {
  const root = path.resolve("app/api/v1");
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const source = fs.readFileSync(full, "utf8");
        const methods = METHODS.filter((m) => new RegExp(`export const ${m}\\b`).test(source)).map((m) => m.toLowerCase());
        const urlPath = `/api/v1/${path.relative(root, dir).split(path.sep).join("/")}`.replace(/\[(\w+)\]/g, "{$1}");
        found.push({ path: urlPath, methods });
      }
    }
  };
  walk(root);
  return found;
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const document = openApiDocument();
    expect(document.openapi).toBe("3.1.0");
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
  });

  it("the validator is not a rubber stamp: a broken document fails", async () => {
    const broken = structuredClone(openApiDocument()) as unknown as { paths: Record<string, Record<string, { parameters: { in: string }[] }>> };
    // OpenAPI 3 has no body parameters (a Swagger 2 habit).
    broken.paths["/api/v1/tenants"]!.get!.parameters[0]!.in = "body";
    const result = await validate(broken as unknown as Parameters<typeof validate>[0]);
    expect(result.valid).toBe(false);
  });

  it("lists every route under app/api/v1 with each method its file exports", () => {
    const document = openApiDocument();
    const routes = routesOnDisk();
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) {
      expect(route.methods.length, `${route.path} exports no method`).toBeGreaterThan(0);
      for (const method of route.methods) {
        expect(document.paths[route.path]?.[method], `${method.toUpperCase()} ${route.path} is not in the OpenAPI document`).toBeDefined();
      }
    }
    // And nothing documented that does not exist.
    const onDisk = new Set(routes.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)));
    for (const [p, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) expect(onDisk.has(`${method} ${p}`), `${method} ${p} is documented but has no route`).toBe(true);
    }
  });

  it("describes request bodies with the routes' own zod schemas, field rules included", () => {
    const onboard = openApiDocument().paths["/api/v1/tenants"]!.post as { requestBody: { content: { "application/json": { schema: { properties: Record<string, { pattern?: string }>; required: string[] } } } } };
    const schema = onboard.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["privateCloudId", "slug", "displayName", "contacts", "subnet", "sourceGatewayUnderlayIp"]));
    expect(schema.required).not.toContain("vlan");
    expect(schema.properties.slug!.pattern).toBe("^[a-z0-9]+(-[a-z0-9]+)*$");
  });

  it("documents the NOC wall's conditional GET as the route answers it: If-None-Match, 304, ETag and Age", () => {
    const operation = openApiDocument().paths["/api/v1/noc"]!.get as unknown as {
      parameters: { name: string; in: string; required: boolean }[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(operation.parameters).toContainEqual(expect.objectContaining({ name: "If-None-Match", in: "header", required: false }));
    expect(Object.keys(operation.responses["200"]!.headers ?? {})).toEqual(expect.arrayContaining(["ETag", "Age", "Cache-Control"]));
    expect(Object.keys(operation.responses["304"]!.headers ?? {})).toEqual(expect.arrayContaining(["ETag", "Age"]));
  });
});
