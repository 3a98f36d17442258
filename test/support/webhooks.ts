import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Isolate } from "../../src/isolate";
import type { EventMessage, EventQueue } from "../../src/services/event-messages";
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
    async received(): Promise<ReceivedDelivery[]> {
      return (await fetch(`${receivers}/_control/${name}`)).json();
    },
  };
}

/**
 * A stand-in for the EVENTS_QUEUE producer that keeps what it was sent, so a test can hand each
 * message to the consumer itself, with the attempt count it chooses; `refusing` makes `send` fail
 * as a queue that is down does.
 */
export function recordingQueue() {
  const sent: EventMessage[] = [];
  const state = { refusing: false };
  const queue: EventQueue = {
    async send(messages) {
      if (state.refusing) throw new Error("queue unavailable");
      sent.push(...messages);
    },
  };
  return { queue, sent, state, take: () => sent.splice(0) };
}

/** Runs the isolate's queue consumer on these messages, as Queues delivers them; returns what it acked and retried. */
export async function consume(isolate: Isolate, messages: { body: unknown; attempts?: number }[]) {
  const batch = createMessageBatch(
    "order-events-dev",
    messages.map(({ body, attempts = 1 }, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await isolate.consumeEvents(batch);
  return getQueueResult(batch, ctx);
}
