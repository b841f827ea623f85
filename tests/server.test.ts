import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, postgresAvailable } from "./support/databases";
import { startConsole, type ConsoleServer } from "./support/console-server";

describe("the console process on its embedded defaults", () => {
  let server: ConsoleServer;
  afterAll(async () => {
    if (server?.process.exitCode === null) await server.stop("SIGKILL");
  });

  it("creates and migrates PGlite on first start and serves HTTPS with its own certificate", async () => {
    server = await startConsole();
    const health = await server.get("/api/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", database: "pglite", azure: "emulator", identity: "builtin" });
    expect(fs.existsSync(path.join(server.dataDir, "pglite", "PG_VERSION"))).toBe(true);

    const home = await server.get("/");
    expect(home.status).toBe(200);
    expect(home.body).toContain("All systems answering");
  });

  it("closes the database cleanly on SIGTERM and releases the data folder", async () => {
    const pidFile = path.join(server.dataDir, "pglite", "bridgehead.pid");
    expect(fs.existsSync(pidFile)).toBe(true);
    server.process.kill("SIGTERM");
    const code = await new Promise((resolve) => server.process.once("exit", resolve));
    expect(code).toBe(0);
    expect(server.output()).toContain("[bridgehead] closed");
    expect(fs.existsSync(pidFile)).toBe(false);
    await server.stop();
  });
});

describe.skipIf(!postgresAvailable())("the console process with DATABASE_URL", () => {
  it("migrates the PostgreSQL database and reports it", async () => {
    const database = await createPostgresDatabase();
    const server = await startConsole({ DATABASE_URL: database.url, SESSION_SECRET: "test-secret-".repeat(4), SECRETS_KEY: "test-secrets-key-".repeat(2), BUILTIN_SIGN_IN: "on" });
    try {
      const health = await server.get("/api/health");
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: "ok", database: "postgres" });
      // Signed out: the admin portal sends the visitor to sign in and back.
      const admin = await server.get("/admin");
      expect(admin.status).toBe(307);
      expect(admin.headers.location).toMatch(/\/signin\?returnTo=%2Fadmin$/);
      const signIn = await server.get("/signin?returnTo=%2Fadmin");
      expect(signIn.status).toBe(200);
      expect(signIn.body).toContain("Sign in to run, or see, your stretched networks.");
    } finally {
      expect(await server.stop()).toBe(0);
      await database.drop();
    }
  });

  it("refuses to start, saying why, when PostgreSQL is unreachable", async () => {
    const server = startConsole({ DATABASE_URL: "postgres://bridgehead@127.0.0.1:1/none", SESSION_SECRET: "test-secret-".repeat(4), SECRETS_KEY: "test-secrets-key-".repeat(2), BUILTIN_SIGN_IN: "on" });
    await expect(server).rejects.toThrow(/exited with 1[\s\S]*failed to start/);
  });
});
