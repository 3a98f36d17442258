import { defineConfig } from "vitest/config";

/**
 * The pure layers' tests, in Node, for mutation testing (`npm run mutation`): Stryker's vitest runner
 * cannot drive the workers pool, and these tests need no workerd, database or network.
 */
export default defineConfig({
  test: {
    name: "pure",
    environment: "node",
    setupFiles: ["test/support/node/uint8array-base64.ts"],
    include: [
      "test/domain/**/*.test.ts",
      "test/lib/**/*.test.ts",
      "test/observability/logger.test.ts",
      "test/services/**/*.test.ts",
      "test/limiters/client-key.test.ts",
      "test/repositories/circuit-breaker.test.ts",
      "test/handlers/cursor.test.ts",
      "test/tokens/**/*.test.ts",
      "test/webhooks/**/*.test.ts",
    ],
  },
});
