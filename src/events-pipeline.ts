import type { Config } from "./config/config";
import { eventJson } from "./handlers/event-json";
import { eventConsumer } from "./handlers/event-queue-consumer";
import type { Logger } from "./observability/logger";
import type { Metrics } from "./observability/metrics";
import type { Database } from "./repositories/database";
import { createPostgresEventRepository } from "./repositories/postgres-event-repository";
import { createPostgresWebhookRepository } from "./repositories/postgres-webhook-repository";
import type { EventMessage, EventQueue } from "./services/event-messages";
import { createEventRelay } from "./services/event-relay";
import { createEventService } from "./services/event-service";
import { createWebhookDispatcher } from "./services/webhook-dispatcher";
import { createWebhookEndpointService, type SigningSecrets } from "./services/webhook-endpoint-service";
import { createSecretBox } from "./webhooks/secret-box";
import { newSigningSecret, signDelivery } from "./webhooks/signature";
import { postDelivery } from "./webhooks/webhook-sender";

/** Queues takes at most 100 messages per sendBatch (https://developers.cloudflare.com/queues/platform/limits/). */
const SEND_BATCH_LIMIT = 100;

function queueOf(binding: Queue | undefined): EventQueue | undefined {
  if (!binding) return undefined;
  return {
    async send(messages: EventMessage[]) {
      for (let i = 0; i < messages.length; i += SEND_BATCH_LIMIT) {
        await binding.sendBatch(messages.slice(i, i + SEND_BATCH_LIMIT).map((body) => ({ body })));
      }
    },
  };
}

export interface EventsPipelineDeps {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  clock: () => number;
  /** A test's queue in place of EVENTS_QUEUE. */
  queue?: EventQueue;
  /** Waits before a refused hand-over's second try (real time unless a test gives its own). */
  pause?: (ms: number) => Promise<void>;
}

/**
 * Order events from the outbox to the receivers: the feed, the endpoints' admin API, the relay that
 * hands events to the queue (after the answer, and by the hourly sweep), and the queue's
 * consumer that fans them out and delivers them signed.
 */
export function createEventsPipeline({ config, db, logger, metrics, clock, queue, pause }: EventsPipelineDeps) {
  const events = createPostgresEventRepository(db);
  const webhooks = createPostgresWebhookRepository(db);
  const box = createSecretBox(config.webhooks.encryptionKeys);
  const secrets: SigningSecrets = { generate: newSigningSecret, seal: box.seal, open: box.open };
  const relay = createEventRelay({
    events,
    webhooks,
    queue: queue ?? queueOf(config.webhooks.queue),
    logger,
    metrics,
    now: clock,
    pause,
  });
  const dispatcher = createWebhookDispatcher({
    events,
    webhooks,
    secrets,
    now: clock,
    render: (event) => JSON.stringify(eventJson(event)),
    sign: signDelivery,
    post: postDelivery,
  });
  return {
    relay,
    feed: createEventService({ repository: events, now: clock }),
    endpoints: createWebhookEndpointService({
      repository: webhooks,
      secrets,
      allowLocalReceivers: config.webhooks.allowLocalReceivers,
      now: clock,
    }),
    consume: eventConsumer({ relay, dispatcher, logger, metrics }),
  };
}

export type EventsPipeline = ReturnType<typeof createEventsPipeline>;
