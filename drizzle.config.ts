import { defineConfig } from "drizzle-kit";

// Migrations are generated once from the schema and applied unchanged to PGlite and PostgreSQL.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema/index.ts",
  out: "./lib/db/migrations",
});
