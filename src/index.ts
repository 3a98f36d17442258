import type { Hono } from "hono";
import { createApp } from "./app";
import type { AppEnv } from "./app-env";
import { type AppBindings, ConfigError, loadConfig } from "./config/config";
import { createJsonLogger } from "./domain/logger";
import { createDatabase } from "./repositories/database";
import { createDatabaseProbe } from "./repositories/readiness";
import type { ReadinessProbe } from "./services/readiness-probe";

/** Without DATABASE_URL the service still answers liveness; readiness says why it is not ready. */
const unconfigured: ReadinessProbe = {
  check: async () => ({ ok: false, reason: "not configured (DATABASE_URL is unset)" }),
};

/** One app per isolate and environment: wiring happens once, not per request. */
const apps = new WeakMap<AppBindings, Hono<AppEnv>>();

function appFor(env: AppBindings): Hono<AppEnv> {
  let app = apps.get(env);
  if (!app) {
    const config = loadConfig(env);
    const logger = createJsonLogger({ level: config.logLevel });
    let database = unconfigured;
    if (config.databaseUrl) {
      createDatabase({
        url: config.databaseUrl,
        httpEndpoint: config.databaseHttpEndpoint,
        timeoutMs: config.dbTimeoutMs,
      });
      database = createDatabaseProbe(config.databaseUrl);
    }
    app = createApp({ config, logger, database });
    apps.set(env, app);
  }
  return app;
}

/** A misconfigured deployment still answers in the envelope, and says why in the log. */
function configFailure(err: unknown): Response {
  const requestId = crypto.randomUUID();
  createJsonLogger().error("configuration error", { request_id: requestId, detail: String(err) });
  const body = { error: { code: "INTERNAL_ERROR", message: "an unexpected error occurred", request_id: requestId } };
  return Response.json(body, { status: 500, headers: { "X-Request-Id": requestId } });
}

export default {
  fetch(request, env, ctx) {
    let app: Hono<AppEnv>;
    try {
      app = appFor(env);
    } catch (err) {
      if (err instanceof ConfigError) return configFailure(err);
      throw err;
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<AppBindings>;
