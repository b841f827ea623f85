/**
 * Database handles, secrets and configuration must never be bundled into a browser page. Every
 * module that reaches them, and every module in the server-side layers, starts with
 * `import "server-only"`, so `next build` fails the day a client component imports one. This
 * test keeps the marker from being forgotten on a new file.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER_LAYERS = ["lib/actions/", "lib/commands/", "lib/queries/", "lib/server/"];
/** The server state itself. */
const SERVER_STATE = ["lib/db/client.ts", "lib/secrets.ts", "lib/config.ts"];
/** A value import (not `import type`) of the database client, the secrets or the configuration. */
const REACHES_SERVER_STATE = /^import (?!type )[^;]*from "(@\/lib\/(db\/client|secrets|config)|\.\/client)";/m;
const MARKER = 'import "server-only";';

function modulesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .map((file) => path.posix.join(dir, file.split(path.sep).join("/")))
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file) && !file.includes("/emulator/"));
}

function mustBeServerOnly(file: string, source: string): boolean {
  return SERVER_STATE.includes(file) || SERVER_LAYERS.some((layer) => file.startsWith(layer)) || REACHES_SERVER_STATE.test(source);
}

describe("server-only modules", () => {
  const modules = modulesUnder("lib").map((file) => ({ file, source: fs.readFileSync(path.join(ROOT, file), "utf8") }));

  it("marks every server-side module, so a client import of one fails the build", () => {
    const unmarked = modules.filter(({ file, source }) => mustBeServerOnly(file, source) && !source.includes(MARKER)).map(({ file }) => file);
    expect(unmarked).toEqual([]);
  });

  it("puts the marker before the module's other imports, so nothing runs before it refuses", () => {
    const late = modules
      .filter(({ source }) => source.includes(MARKER))
      .filter(({ source }) => source.split("\n").find((line) => line.startsWith("import ")) !== MARKER)
      .map(({ file }) => file);
    expect(late).toEqual([]);
  });

  it("covers the layers it is meant to: the check would see a forgotten marker", () => {
    const covered = modules.filter(({ file, source }) => mustBeServerOnly(file, source)).map(({ file }) => file);
    expect(covered).toEqual(expect.arrayContaining(["lib/db/client.ts", "lib/secrets.ts", "lib/commands/onboard-tenant.ts", "lib/queries/tenants.ts"]));
    expect(covered).not.toContain("lib/identity/client-config.ts");
  });
});
