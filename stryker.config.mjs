// Mutation testing of the pure layers: `npm run mutation` (README "Mutation testing").
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  // The pure layers' tests, in Node: Stryker's vitest runner cannot drive the workers pool.
  vitest: { configFile: "vitest.mutation.config.ts" },
  mutate: [
    "src/domain/**/*.ts",
    "src/lib/**/*.ts",
    "src/observability/logger.ts",
    "src/services/**/*.ts",
    "src/limiters/client-key.ts",
    "src/repositories/circuit-breaker.ts",
    "src/handlers/cursor.ts",
    "src/tokens/jwks-key-store.ts",
    "src/tokens/signing-key.ts",
    "src/webhooks/**/*.ts",
  ],
  // Stryker rewrites the named tsconfig through TypeScript's JS API, which TypeScript 7 (the Go
  // port) no longer has. Vitest needs no tsconfig rewriting here, so point it at no file.
  tsconfigFile: "no-tsconfig-to-rewrite.json",
  coverageAnalysis: "perTest",
  concurrency: 2,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
