import { expect, it } from "vitest";
import { readConfig } from "@/lib/config";
import { openDatabase } from "@/lib/db/client";
import { describeEachDatabase } from "@/tests/support/databases";
import { checkHealth } from "./health";

describeEachDatabase("health check", ({ handle, kind }) => {
  it(`reports ok and the ${kind} database when it answers`, async () => {
    const env = kind === "postgres" ? { DATABASE_URL: "postgres://example.invalid/db", SESSION_SECRET: "s".repeat(32), SECRETS_KEY: "k".repeat(32), BUILTIN_SIGN_IN: "on" } : {};
    const { httpStatus, report } = await checkHealth(readConfig(env), async () => handle());
    expect(httpStatus).toBe(200);
    expect(report).toMatchObject({
      status: "ok",
      database: kind,
      azure: "emulator",
      identity: "builtin",
      checks: { database: { ok: true } },
    });
  });
});

it("answers 503 without leaking connection details when PostgreSQL is unreachable", async () => {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const unreachable = await openDatabase({ kind: "postgres", url: "postgres://secret-user:pw@127.0.0.1:1/db" }, { migrate: false });
  try {
    const { httpStatus, report } = await checkHealth(
      readConfig({ DATABASE_URL: "postgres://secret-user:pw@127.0.0.1:1/db", SESSION_SECRET: "s".repeat(32), SECRETS_KEY: "k".repeat(32), BUILTIN_SIGN_IN: "on" }),
      async () => unreachable,
    );
    expect(httpStatus).toBe(503);
    expect(report.status).toBe("unavailable");
    expect(report.database).toBe("postgres");
    expect(report.checks.database.error).toBe("database unreachable (ECONNREFUSED)");
    expect(JSON.stringify(report)).not.toContain("secret-user");
  } finally {
    await unreachable.close();
  }
});

it("answers 503 when the database cannot even be opened", async () => {
  const { httpStatus, report } = await checkHealth(readConfig({}), () => Promise.reject(new Error("boom")));
  expect(httpStatus).toBe(503);
  expect(report.checks.database).toMatchObject({ ok: false, error: "database unreachable" });
});
