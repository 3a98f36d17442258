import type { Hono } from "hono";
import type { AppEnv } from "./app-env";
import { type AppBindings, ConfigError } from "./config/config";
import { createJsonLogger } from "./domain/logger";
import { wireApp } from "./wire";

export { RateLimiter } from "./rate-limit/rate-limiter-object";

/** One app per isolate and environment: wiring happens once, not per request. */
const apps = new WeakMap<AppBindings, Hono<AppEnv>>();

function appFor(env: AppBindings): Hono<AppEnv> {
  let app = apps.get(env);
  if (!app) {
    app = wireApp(env);
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
