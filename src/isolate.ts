import type { Hono } from "hono";
import { createApp, createMisconfiguredApp } from "./app";
import type { AppEnv } from "./app-env";
import { type AppBindings, type Config, describeProblems, jwtSecrets, parseConfig } from "./config/config";
import { HOURLY } from "./cron-schedule";
import type { EventStamp } from "./domain/order-event";
import { createEventsPipeline, type EventsPipeline } from "./events-pipeline";
import { createCursorCodec } from "./handlers/cursor";
import { createJsonLogger, type Logger } from "./observability/logger";
import { createMetrics, type Metrics } from "./observability/metrics";
import { currentScope } from "./observability/scope-storage";
import { CircuitBreaker } from "./repositories/circuit-breaker";
import { createDatabase } from "./repositories/database";
import { createDatabaseProbe } from "./repositories/database-probe";
import { createPostgresOrderRepository } from "./repositories/postgres-order-repository";
import type { EventQueue } from "./services/event-messages";
import type { EventRelay } from "./services/event-relay";
import { createIdempotencyPurge, type PurgeReport } from "./services/idempotency-purge";
import type { OrderRepository } from "./services/order-repository";
import { createOrderService, type OrderService } from "./services/order-service";
import { createReadiness } from "./services/readiness";
import type { ReadinessProbe } from "./services/readiness-probe";
import { createJwksKeyStore, type KeyLookup } from "./tokens/jwks-key-store";

/** What a test may replace; everything else is built exactly as in production. */
export interface IsolateOverrides {
  logger?: Logger;
  /** Milliseconds since the epoch, for the breaker, readiness, tokens, orders and the purge. */
  clock?: () => number;
  breaker?: CircuitBreaker;
  metrics?: Metrics;
  repository?: OrderRepository;
  orders?: OrderService;
  readinessProbe?: ReadinessProbe;
  signingKeys?: KeyLookup;
  /** In place of the EVENTS_QUEUE binding. */
  eventQueue?: EventQueue;
  /** Waits before a refused hand-over's second try. */
  pause?: (ms: number) => Promise<void>;
}

/** Everything that lives as long as the isolate. */
export interface Isolate {
  app: Hono<AppEnv>;
  /** The parsed configuration; undefined when it is invalid (the app then says so). */
  config: Config | undefined;
  /**
   * A Cron Trigger's work: every run hands over the events that were not; the hourly one (HOURLY)
   * also deletes expired idempotency records and events past their 30 days, in bounded batches.
   */
  runCron(cron: string): Promise<void>;
  /** The events queue's consumer. */
  consumeEvents(batch: MessageBatch<unknown>): Promise<void>;
}

/** The identity provider's keys, fetched and cached per isolate, when JWT_MODES takes its tokens. */
function providerKeys(config: Config, clock: () => number, logger: Logger): KeyLookup | undefined {
  const url = config.jwt.jwksUrl;
  if (!url) return undefined;
  return createJwksKeyStore({
    url,
    now: clock,
    cache: typeof caches === "undefined" ? undefined : caches.default,
    onProblem: (problem) => logger.warn("signing keys", { problem }),
  });
}

/**
 * The one composition root: turns `env` into everything that lives as long as the isolate —
 * config (the only reader of env), the database client with the driver hook installed once, the
 * circuit breaker, metrics, cursor keys — and hands `createApp` finished
 * collaborators. Tests build through here too, replacing only what they must.
 */
export function createIsolate(env: AppBindings, overrides: IsolateOverrides = {}): Isolate {
  const parsed = parseConfig(env);
  const clock = overrides.clock ?? Date.now;
  const metrics = overrides.metrics ?? createMetrics();
  if (!parsed.ok) {
    const logger = overrides.logger ?? createJsonLogger();
    logger.error("configuration invalid", { problems: describeProblems(parsed.problems) });
    const refuse = async () => {
      throw new Error(`configuration invalid: ${describeProblems(parsed.problems)}`);
    };
    return {
      app: createMisconfiguredApp({ problems: parsed.problems, logger, metrics }),
      config: undefined,
      runCron: refuse,
      consumeEvents: refuse,
    };
  }
  const { config } = parsed;
  const logger = overrides.logger ?? createJsonLogger({ level: config.logLevel });
  const breaker = overrides.breaker ?? new CircuitBreaker({ now: clock });
  const database = { url: config.databaseUrl, httpEndpoint: config.databaseHttpEndpoint, metrics };
  const db = createDatabase({ ...database, timeoutMs: config.dbTimeoutMs, breaker });
  const repository = overrides.repository ?? createPostgresOrderRepository(db);
  const pipeline = createEventsPipeline({
    config,
    db,
    logger,
    metrics,
    clock,
    queue: overrides.eventQueue,
    pause: overrides.pause,
  });
  const orders = overrides.orders ?? createOrderService({ repository, now: clock, announce: announcer(pipeline) });
  const signingKeys = overrides.signingKeys ?? providerKeys(config, clock, logger);
  const readiness = createReadiness({
    probe: overrides.readinessProbe ?? createDatabaseProbe({ ...database, timeoutMs: config.dbTimeoutMs }),
    breaker,
    now: clock,
    keys: signingKeys,
    unsafeSettings: unsafeSettings(config),
  });
  const app = createApp({
    config,
    logger,
    readiness,
    orders,
    events: pipeline.feed,
    webhookEndpoints: pipeline.endpoints,
    relay: pipeline.relay,
    cursors: createCursorCodec(jwtSecrets(config.jwt)),
    metrics,
    breaker,
    clock,
    signingKeys,
  });
  const purgeKeys = createIdempotencyPurge({ repository, now: clock });
  return {
    app,
    config,
    runCron: (cron) => scheduled(cron, { logger, relay: pipeline.relay, purgeKeys }),
    consumeEvents: pipeline.consume,
  };
}

/**
 * A worker whose database is Neon's own endpoint (no DATABASE_HTTP_ENDPOINT) is a deployed one:
 * there, webhook receivers on the worker's own machine are a way into Cloudflare's network, not a
 * local receiver.
 */
function unsafeSettings(config: Config): Record<string, string> {
  if (!config.webhooks.allowLocalReceivers || config.databaseHttpEndpoint) return {};
  return { webhooks: "WEBHOOK_ALLOW_LOCAL_RECEIVERS is on in a deployed environment: turn it off" };
}

/** Hands each committed event to the queue after the answer, in the request's `waitUntil`. */
const announcer =
  ({ relay }: EventsPipeline) =>
  (event: EventStamp) => {
    const work = relay.handOver([{ id: event.id, traceparent: event.trace?.traceparent }]);
    currentScope()?.defer(work);
  };

/**
 * A Cron Trigger's run, each job logged with what it did, or why it failed (with the error's code,
 * never data). A failed job does not keep the others from running; the run then fails with it.
 */
async function scheduled(
  cron: string,
  { logger, relay, purgeKeys }: { logger: Logger; relay: EventRelay; purgeKeys: () => Promise<PurgeReport> },
): Promise<void> {
  const jobs: [string, () => Promise<object>][] = [["event sweep", relay.sweep]];
  if (cron === HOURLY) jobs.push(["idempotency purge", purgeKeys], ["event purge", relay.purge]);
  const failures: unknown[] = [];
  for (const [job, run] of jobs) {
    try {
      logger.info(job, { ...(await run()) });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      logger.error(`${job} failed`, { code, detail: (err as { detail?: unknown }).detail });
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}
