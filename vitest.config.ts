import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const services = fileURLToPath(new URL("./services/", import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the workspace packages from their TypeScript sources, so
    // no build step is needed between an edit and a test run.
    alias: [
      { find: /^@microtodo\/api\/(.*)$/, replacement: `${services}api/src/$1.ts` },
      { find: /^@microtodo\/([a-z]+)$/, replacement: `${services}$1/src/index.ts` },
    ],
  },
  test: {
    include: ["services/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
