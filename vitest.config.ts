import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // The local tooling (SQL-over-HTTP server, dev runner) runs in Node, so it is tested there.
        test: {
          name: "node",
          include: ["test/dev/**/*.test.ts", "test/**/*.node.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                LOG_LEVEL: "error",
                JWT_SECRET: "test-secret-that-is-at-least-32-bytes-long",
                METRICS_TOKEN: "test-metrics-token",
                DATABASE_URL: inject("databaseUrl"),
                DATABASE_HTTP_ENDPOINT: inject("sqlEndpoint"),
                // The suites share one client IP and a few callers: limits are tested on their own.
                RATE_LIMIT_IP: "100000/60s",
                RATE_LIMIT_USER: "100000/60s",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/dev/**", "test/**/*.node.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/support/release-databases.ts"],
          // Files share the run's database and the SQL server's fault switch: one file at a time.
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
