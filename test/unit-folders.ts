/**
 * The folders of the vitest project `unit` (vitest.config.ts): the layers over fakes, whose tests reach
 * none of the worker (SELF), its queues, a database or the run's local servers, so that one workerd
 * serves them all (test/unit-folders.node.test.ts checks).
 */
export const UNIT = [
  "test/config/**/*.test.ts",
  "test/consumers/**/*.test.ts",
  "test/domain/**/*.test.ts",
  "test/handlers/**/*.test.ts",
  "test/lib/**/*.test.ts",
  "test/limiters/**/*.test.ts",
  "test/middleware/**/*.test.ts",
  "test/observability/**/*.test.ts",
  "test/openapi/**/*.test.ts",
  "test/services/**/*.test.ts",
  "test/tokens/**/*.test.ts",
  "test/webhooks/**/*.test.ts",
];
