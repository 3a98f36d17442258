import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Isolate } from "../../src/isolate";
import type { ReceivedDelivery } from "./received-delivery";

const receivers = (env as unknown as { TEST_WEBHOOK_RECEIVERS: string }).TEST_WEBHOOK_RECEIVERS;

/** A receiver of its own for this test (test/support/node/webhook-receiver.ts). */
export function receiver(label: string) {
  const name = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    url: `${receivers}/${name}`,
    async answers(status: number, location?: string) {
      await fetch(`${receivers}/_control/${name}`, { method: "POST", body: JSON.stringify({ status, location }) });
    },
    /** From now on, keeps each delivery's request open without answering, until the sender gives up. */
    async hangs() {
      await fetch(`${receivers}/_control/${name}`, {
        method: "POST",
        body: JSON.stringify({ status: 200, hang: true }),
      });
    },
    async received(): Promise<ReceivedDelivery[]> {
      return (await fetch(`${receivers}/_control/${name}`)).json();
    },
  };
}

/** Runs the isolate's queue consumer on these messages, as Queues delivers them; returns what it acked and retried. */
export async function consume(
  isolate: Isolate,
  messages: { body: unknown; attempts?: number }[],
  queue = "order-events-dev",
) {
  const batch = createMessageBatch(
    queue,
    messages.map(({ body, attempts = 1 }, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await isolate.consumeEvents(batch);
  return getQueueResult(batch, ctx);
}
