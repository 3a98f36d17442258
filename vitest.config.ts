import { availableParallelism } from "node:os";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { UNIT } from "./test/unit-folders.ts";

// The pool reads wrangler.toml through wrangler, which warned for every test file that the required
// secrets ([secrets] in wrangler.toml) are in none of .dev.vars, .env or the environment: the tests hand
// the worker its secrets as Miniflare bindings (below). Wrangler's errors still print; set WRANGLER_LOG
// (warn, info, debug) to see the rest.
process.env.WRANGLER_LOG ??= "error";

/**
 * The Workers runtime of a project, and the bindings the tests hand the worker; with `servers`, those
 * naming the run's local servers (test/global-setup.ts).
 */
const inWorkerd = ({ servers }: { servers: boolean }) =>
  cloudflareTest(({ inject }) => ({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      // Vitest's runner probes node:inspector in a try/catch at load; the worker runs without Node
      // compatibility (wrangler.toml), and the pool printed the failed probe once per file. This
      // module for the test runner only; the deployed worker's flags are wrangler.toml's.
      compatibilityFlags: ["enable_nodejs_inspector_module"],
      bindings: {
        LOG_LEVEL: "error",
        JWT_SECRET: "test-secret-that-is-at-least-32-bytes-long",
        WEBHOOK_ENCRYPTION_KEY: "test-webhook-encryption-key-at-least-32-bytes",
        METRICS_TOKEN: "test-metrics-token",
        ...(servers && {
          DATABASE_URL: inject("databaseUrl"),
          DATABASE_HTTP_ENDPOINT: inject("sqlEndpoint"),
          // The local identity provider of test/support/node/jwks-server.ts (tests only).
          TEST_JWKS_ENDPOINT: inject("jwksEndpoint"),
          // Webhook receivers of test/support/node/webhook-receiver.ts (tests only).
          TEST_WEBHOOK_RECEIVERS: inject("webhookReceivers"),
        }),
        // The suites share one client IP and a few callers: limits are tested on their own.
        RATE_LIMIT_IP: "100000/60s",
        RATE_LIMIT_USER: "100000/60s",
      },
      // Miniflare's simulation of the Rate Limiting binding. The two the worker uses get limits
      // no suite reaches; test/integration/rate-limits.test.ts builds the app on the small ones.
      ratelimits: {
        IP_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 100_000, period: 60 } },
        USER_RATE_LIMITER: { namespace_id: "1002", simple: { limit: 100_000, period: 60 } },
        LIMIT_3_PER_60S: { namespace_id: "9003", simple: { limit: 3, period: 60 } },
        LIMIT_2_PER_60S: { namespace_id: "9002", simple: { limit: 2, period: 60 } },
      },
    },
  }));

export default defineConfig({
  test: {
    // Vitest 5 runs one worker fewer than the cores by default, so on 2 cores (CI's) every file ran alone:
    // the node, pure and unit projects one after another, then the workers project's files (one at a time
    // in any case, below). Two workers let the first three overlap: their files wait in part on the
    // processes, servers and databases they start (https://vitest.dev/config/maxworkers).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      // The pure layers' tests again, in Node, as `npm run mutation` runs them: so that they keep passing
      // outside workerd, and the mutation run keeps starting.
      "./vitest.mutation.config.ts",
      {
        // The local tooling (SQL-over-HTTP server, dev runner) runs in Node, so it is tested there.
        test: {
          name: "node",
          include: ["test/dev/**/*.test.ts", "test/**/*.node.test.ts"],
          environment: "node",
          // Their tests start Node processes (the release, the scripts, wrangler's double) that share the
          // machine's cores with the other files of the run, and with a second checkout's run.
          testTimeout: 120_000,
        },
      },
      {
        // Tests that reach the worker (SELF), its queues, a database or a local server: each file in a
        // workerd of its own, one at a time (below).
        plugins: [inWorkerd({ servers: true })],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/dev/**", "test/**/*.node.test.ts", ...UNIT],
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/support/release-databases.ts"],
          // Files share the run's database and the SQL server's fault switch: one file at a time.
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
      {
        // The layers over fakes, in workerd too, all files in one runtime (https://vitest.dev/config/isolate):
        // a workerd per file cost them about 2 s each, and nothing of theirs runs on after a file
        // ends. The others stay isolated: the queue's consumer works through a file's events in the
        // background, and sharing one runtime let it reach later files (docs/testing.md).
        plugins: [inWorkerd({ servers: false })],
        test: {
          name: "unit",
          include: UNIT,
          exclude: ["test/**/*.node.test.ts"],
          isolate: false,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
