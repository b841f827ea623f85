import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./support/postgres-server";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string | null;
    postgresUnavailable: string | null;
  }
}

export default async function setup(project: TestProject) {
  const server = await startTestPostgres();
  if ("unavailable" in server) {
    if (process.env.REQUIRE_POSTGRES === "1") {
      throw new Error(`REQUIRE_POSTGRES=1 but no PostgreSQL could be started: ${server.unavailable}`);
    }
    console.warn(`\n[tests] PostgreSQL tests will be SKIPPED: ${server.unavailable}\n`);
    project.provide("postgresUrl", null);
    project.provide("postgresUnavailable", server.unavailable);
    return;
  }
  console.log(`[tests] PostgreSQL test server on ${new URL(server.url).host}`);
  project.provide("postgresUrl", server.url);
  project.provide("postgresUnavailable", null);
  return () => server.stop();
}
