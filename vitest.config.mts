import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
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
