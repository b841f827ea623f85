import path from "node:path";
import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Tests load server modules directly, as Next's server bundle does (see scripts/server-only.cjs).
      "server-only": path.join(path.dirname(require.resolve("server-only")), "empty.js"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", "data/**"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    // A hook may start the console (tests/support/console-server.ts allows it 150 s on a loaded machine).
    hookTimeout: 180_000,
    // Two cores: PGlite's WASM start-up is CPU-bound, so more workers only queue.
    maxWorkers: 2,
  },
});
