import type { AppBindings } from "./config/config";
import { createIsolate, type Isolate } from "./isolate";

/** One isolate root per environment object: built on the first event, reused by every later one. */
const isolates = new WeakMap<AppBindings, Isolate>();

function isolateFor(env: AppBindings): Isolate {
  let isolate = isolates.get(env);
  if (!isolate) {
    isolate = createIsolate(env);
    isolates.set(env, isolate);
  }
  return isolate;
}

export default {
  fetch(request, env, ctx) {
    return isolateFor(env).app.fetch(request, env, ctx);
  },
  /** Cron Trigger (wrangler.toml `[triggers]`): deletes expired idempotency records. */
  async scheduled(_controller, env) {
    await isolateFor(env).purgeIdempotencyRecords();
  },
} satisfies ExportedHandler<AppBindings>;
