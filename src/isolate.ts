import type { Hono } from "hono";
import { createApp, createMisconfiguredApp } from "./app";
import type { AppEnv } from "./app-env";
import { type AppBindings, type Config, describeProblems, parseConfig } from "./config/config";
import { deadLetterConsumer } from "./consumers/dead-letter-consumer";
import { eventConsumer } from "./consumers/event-queue-consumer";
import { HOURLY } from "./cron-schedule";
import type { EventStamp } from "./domain/order-event";
import { createCursorCodec } from "./handlers/cursor";
import { eventJson } from "./handlers/event-json";
import { testEventJson } from "./handlers/webhook-json";
import { createJsonLogger, type Logger } from "./observability/logger";
import { createMetrics, type Metrics } from "./observability/metrics";
import { currentScope } from "./observability/scope-storage";
import { CircuitBreaker } from "./repositories/circuit-breaker";
import { createDatabase, type Database } from "./repositories/database";
import { createDatabaseProbe } from "./repositories/database-probe";
import { createPostgresEventRepository } from "./repositories/postgres-event-repository";
import { createPostgresOrderRepository } from "./repositories/postgres-order-repository";
import { createPostgresWebhookRepository } from "./repositories/postgres-webhook-repository";
import { createEndpointRecovery } from "./services/endpoint-recovery";
import { createEventFanOut } from "./services/event-fan-out";
import { createEventHandOver, type EventHandOver } from "./services/event-hand-over";
import { type EventQueue, isDeadLetterQueue, type QueueMessage } from "./services/event-messages";
import { createEventPurge } from "./services/event-purge";
import { createEventRedelivery } from "./services/event-redelivery";
import type { EventRepository } from "./services/event-repository";
import { createEventService } from "./services/event-service";
import { createEventSweep } from "./services/event-sweep";
import { createIdempotencyPurge } from "./services/idempotency-purge";
import type { OrderRepository } from "./services/order-repository";
import { createOrderService, type OrderService } from "./services/order-service";
import type { PurgeReport } from "./services/purge-in-batches";
import { createPurgeSteps, type PurgeJob } from "./services/purge-steps";
import { createReadiness } from "./services/readiness";
import type { ReadinessProbe } from "./services/readiness-probe";
import { createWebhookDispatcher } from "./services/webhook-dispatcher";
import { createWebhookEndpointService, type SigningSecrets } from "./services/webhook-endpoint-service";
import type { WebhookRepository } from "./services/webhook-repository";
import { createWebhookTestSend } from "./services/webhook-test-send";
import { createJwksKeyStore, type KeyLookup } from "./tokens/jwks-key-store";
import { createSecretBox } from "./webhooks/secret-box";
import { newSigningSecret, signDelivery } from "./webhooks/signature";
import { postDelivery } from "./webhooks/webhook-sender";

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
  /** In place of the Postgres webhook repository (test/services/fake-webhook-repository.ts). */
  webhookRepository?: WebhookRepository;
  /** In place of the Postgres event repository (test/services/fake-event-repository.ts). */
  eventRepository?: EventRepository;
  /** In place of the EVENTS_QUEUE binding. */
  eventQueue?: EventQueue;
  /** In place of the WEBHOOKS_SLOW_QUEUE binding. */
  slowLane?: EventQueue;
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
  const webhooks = overrides.webhookRepository ?? createPostgresWebhookRepository(db);
  const purgeKeys = createIdempotencyPurge({ repository, now: clock });
  const events = eventsOf({ config, db, webhooks, logger, metrics, clock, overrides, purgeKeys });
  const orders =
    overrides.orders ?? createOrderService({ repository, now: clock, announce: announcer(events.handOver) });
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
    events: events.feed,
    webhookEndpoints: events.endpoints,
    redeliver: events.redeliver,
    testWebhook: events.testWebhook,
    recoverWebhook: events.recoverWebhook,
    cursors: createCursorCodec(config.sealingKeys),
    metrics,
    breaker,
    clock,
    signingKeys,
  });
  return {
    app,
    config,
    runCron: (cron) => scheduled(cron, { logger, sweep: events.sweep, purge: events.purge }),
    consumeEvents: events.consume,
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

/**
 * Hands each committed event to the queue before the answer; a refused one again after it, in its `waitUntil`.
 * A request cut short (its deadline answered 504, or its client went away) has no answer left to wait for
 * the hand-over: it goes on in the `waitUntil`, which outlives the answer by up to 30 s
 * (https://developers.cloudflare.com/workers/runtime-apis/context/).
 */
const announcer = (handOver: EventHandOver) => async (event: EventStamp) => {
  const scope = currentScope();
  const later = scope ? (retry: Promise<void>) => scope.defer(retry) : undefined;
  const work = handOver([{ id: event.id, traceparent: event.trace?.traceparent }], later);
  if (scope?.signal?.aborted) scope.defer(work);
  await work;
};

/** Queues takes at most 100 messages per sendBatch (https://developers.cloudflare.com/queues/platform/limits/). */
const SEND_BATCH_LIMIT = 100;

/** One consumer Worker for the events queue, its slow lane and its dead-letter queue: each batch to its own. */
const queueConsumer =
  (
    events: (batch: MessageBatch<unknown>) => Promise<void>,
    deadLetters: (batch: MessageBatch<unknown>) => Promise<void>,
  ) =>
  (batch: MessageBatch<unknown>) =>
    isDeadLetterQueue(batch.queue) ? deadLetters(batch) : events(batch);

/** A queue producer binding (EVENTS_QUEUE, WEBHOOKS_SLOW_QUEUE) as the event jobs' queue; none in a preview. */
function queueOf(binding: Queue | undefined): EventQueue | undefined {
  if (!binding) return undefined;
  return {
    async send(messages: QueueMessage[], options?: { delaySeconds?: number }) {
      for (let i = 0; i < messages.length; i += SEND_BATCH_LIMIT) {
        await binding.sendBatch(
          messages.slice(i, i + SEND_BATCH_LIMIT).map((body) => ({ body })),
          options,
        );
      }
    },
  };
}

interface EventsDeps {
  config: Config;
  db: Database;
  webhooks: WebhookRepository;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  /** The queues and the hand-over's pause, when a test brings its own. */
  overrides: Pick<IsolateOverrides, "eventRepository" | "eventQueue" | "slowLane" | "pause">;
  /** The idempotency records' purge, which goes on in steps through the same queue. */
  purgeKeys: () => Promise<PurgeReport>;
}

/**
 * Order events from the outbox to the receivers: the feed, the endpoints' admin API, each job that
 * moves events along (hand-over before the answer, sweep and purge from the cron and the queue,
 * redelivery for an admin), and the queue's consumer that fans them out and delivers them signed.
 */
function eventsOf({ config, db, webhooks, logger, metrics, clock, overrides, purgeKeys }: EventsDeps) {
  const queue = overrides.eventQueue ?? queueOf(config.webhooks.queue);
  const slowLane = overrides.slowLane ?? queueOf(config.webhooks.slowLane);
  const { pause } = overrides;
  const events = overrides.eventRepository ?? createPostgresEventRepository(db);
  const box = createSecretBox(config.sealingKeys);
  const secrets: SigningSecrets = { generate: newSigningSecret, seal: box.seal, open: box.open };
  const dispatcher = createWebhookDispatcher({
    events,
    webhooks,
    secrets,
    now: clock,
    render: (event) => JSON.stringify(eventJson(event)),
    renderTest: (test) => JSON.stringify(testEventJson(test)),
    sign: signDelivery,
    post: postDelivery,
  });
  const fanOut = createEventFanOut({ events, webhooks, queue, now: clock });
  const sweep = createEventSweep({ events, queue, logger, metrics, now: clock });
  const purge = createPurgeSteps({ idempotency: purgeKeys, events: createEventPurge({ events, now: clock }) }, queue);
  const { allowLocalReceivers } = config.webhooks;
  return {
    feed: createEventService({ repository: events }),
    endpoints: createWebhookEndpointService({ repository: webhooks, secrets, allowLocalReceivers, now: clock }),
    handOver: createEventHandOver({ queue, logger, metrics, pause }),
    sweep,
    purge,
    redeliver: createEventRedelivery({ events, webhooks, queue }),
    testWebhook: createWebhookTestSend({ dispatcher }),
    recoverWebhook: createEndpointRecovery({ events, webhooks, queue }),
    consume: queueConsumer(
      eventConsumer({ fanOut, dispatcher, logger, metrics, sweep, purge, ...(slowLane ? { slowLane } : {}) }),
      deadLetterConsumer({ events, webhooks, logger, metrics, now: clock }),
    ),
  };
}

/**
 * A Cron Trigger's run, each job logged with what it did, or why it failed (with the error's code,
 * never data). A failed job does not keep the others from running; the run then fails with it.
 */
async function scheduled(
  cron: string,
  { logger, sweep, purge }: { logger: Logger; sweep: () => Promise<object>; purge: (job: PurgeJob) => Promise<object> },
): Promise<void> {
  const jobs: [string, () => Promise<object>][] = [["event sweep", sweep]];
  if (cron === HOURLY)
    jobs.push(["idempotency purge", () => purge("idempotency")], ["event purge", () => purge("events")]);
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
