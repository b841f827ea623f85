import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, postgresAvailable } from "./support/databases";
import { START_TIMEOUT_MS, startConsole, type ConsoleServer } from "./support/console-server";

describe("the console process on its embedded defaults", { timeout: START_TIMEOUT_MS + 30_000 }, () => {
  const started: ConsoleServer[] = [];
  afterAll(async () => {
    for (const server of started) if (server.process.exitCode === null) await server.stop("SIGKILL");
  });
  const start = async () => {
    const server = await startConsole();
    started.push(server);
    return server;
  };

  it("creates and migrates PGlite on first start and serves HTTPS with its own certificate", async () => {
    const server = await start();
    const health = await server.get("/api/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", database: "pglite", azure: "emulator", identity: "builtin" });
    expect(fs.existsSync(path.join(server.dataDir, "pglite", "PG_VERSION"))).toBe(true);

    const home = await server.get("/");
    expect(home.status).toBe(200);
    expect(home.body).toContain("All systems answering");

    // Agents' posts are answered before Next (lib/server/telemetry-fast-path.ts): Next marks every
    // answer of its own with Vary (its router's headers), the fast path sends none. A refused
    // token is enough to tell the doors apart, and leaves nothing behind.
    const nextAnswer = await server.get("/api/health");
    expect(nextAnswer.headers.vary).toBeDefined();
    const agentAnswer = await server.post("/api/v1/telemetry", "{}", { authorization: "Bearer agt_unknown" });
    expect(agentAnswer.status).toBe(401);
    expect(agentAnswer.headers["www-authenticate"]).toContain("Bearer");
    expect(agentAnswer.headers.vary).toBeUndefined();

    // A private console keeps itself out of search indexes.
    const robots = await server.get("/robots.txt");
    expect(robots.status).toBe(200);
    expect(robots.body).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });

  it("closes the database cleanly on SIGTERM and releases the data folder", async () => {
    const server = await start();
    const pidFile = path.join(server.dataDir, "pglite", "bridgehead.pid");
    expect(fs.existsSync(pidFile)).toBe(true);
    server.process.kill("SIGTERM");
    const code = await new Promise((resolve) => server.process.once("exit", (exitCode, signal) => resolve(exitCode ?? signal)));
    expect(code, server.output()).toBe(0);
    expect(server.output()).toContain("[bridgehead] closed");
    expect(fs.existsSync(pidFile)).toBe(false);
    await server.stop();
  });
});

describe.skipIf(!postgresAvailable())("the console process with DATABASE_URL", { timeout: START_TIMEOUT_MS + 30_000 }, () => {
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
