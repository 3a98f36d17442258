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
  /** Cron Triggers (wrangler.toml `[triggers]`): the hourly sweep and purges (src/cron-schedule.ts). */
  async scheduled(controller, env) {
    await isolateFor(env).runCron(controller.cron);
  },
  /** The events queue, its slow lane and its dead-letter queue (wrangler.toml `[[queues.consumers]]`). */
  async queue(batch, env) {
    await isolateFor(env).consumeEvents(batch);
  },
} satisfies ExportedHandler<AppBindings>;
