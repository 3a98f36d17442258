import { env } from "cloudflare:workers";
import type { AppBindings } from "../../src/config/config";
import { createIsolate, type IsolateOverrides } from "../../src/isolate";
import { captureLogger } from "./capture-logger";
import { freshDatabase } from "./database";
import { recordingQueue } from "./recording-queue";

/**
 * The production isolate root (real driver, SQL server, Miniflare's Rate Limiting bindings) with
 * settings (or bindings) changed for one test, its own fresh database and events queue, and the log captured.
 */
export async function liveApp(overrides: Record<string, unknown> = {}, replace: Omit<IsolateOverrides, "logger"> = {}) {
  const { name: database, url } = await freshDatabase("live");
  const bindings = {
    ...env,
    DATABASE_URL: url,
    LOG_LEVEL: "debug",
    ...overrides,
  } as AppBindings;
  const { logger, lines, raw } = captureLogger();
  // Events go to a queue of the test's own (or this one, which keeps them), not to the run's shared queue.
  // A refused hand-over is tried again without waiting: tests inject time, never sleep.
  const isolate = createIsolate(bindings, {
    eventQueue: recordingQueue().queue,
    pause: () => Promise.resolve(),
    ...replace,
    logger,
  });
  const { app } = isolate;
  const request = (path: string, init: RequestInit = {}) => app.request(path, init, bindings);
  return { app, isolate, request, database, bindings, lines, raw };
}

/** The small Rate Limiting bindings that vitest.config.ts declares for the limit tests. */
export const testLimiters = env as unknown as { LIMIT_3_PER_60S: RateLimit; LIMIT_2_PER_60S: RateLimit };
