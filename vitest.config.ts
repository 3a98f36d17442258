import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** One database per test run, so runs against a shared Postgres never see each other's rows. */
const runDatabase = `ot_app_${Date.now().toString(36)}_${process.pid}`;

export default defineConfig({
  test: {
    projects: [
      {
        // The local tooling (SQL-over-HTTP server, dev runner) runs in Node, so it is tested there.
        test: { name: "node", include: ["test/dev/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
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
                DATABASE_URL: `postgres://test:test@localhost/${runDatabase}`,
                DATABASE_HTTP_ENDPOINT: inject("sqlEndpoint"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/dev/**"],
          globalSetup: ["test/global-setup.ts"],
          // Files share the run's database and the SQL server's fault switch: one file at a time.
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
