import {
  type EventMessage,
  type EventQueue,
  isPurgeMessage,
  isSweepMessage,
  type PurgeMessage,
} from "../../src/services/event-messages";

/**
 * A stand-in for the EVENTS_QUEUE producer that keeps what it was sent, so a test can hand each
 * message to the consumer itself, with the attempt count it chooses; `refusing` makes `send` fail
 * as a queue that is down does, and `refusals` fails that many sends, then accepts again. No workerd
 * APIs: unit tests in Node use it too.
 */
export function recordingQueue() {
  /** Each call's event messages as sent: one batch per `send`. */
  const batches: EventMessage[][] = [];
  /** The sweep's next steps as sent, each with its delay; and the purges' next steps. */
  const sweeps: { delaySeconds?: number }[] = [];
  const purges: PurgeMessage[] = [];
  const state = { refusing: false, refusals: 0 };
  const queue: EventQueue = {
    async send(messages, options) {
      if (state.refusing) throw new Error("queue unavailable");
      if (state.refusals > 0) {
        state.refusals--;
        throw new Error("queue busy");
      }
      const events = messages.filter((m): m is EventMessage => !isSweepMessage(m) && !isPurgeMessage(m));
      for (const _ of messages.filter(isSweepMessage)) sweeps.push({ ...options });
      purges.push(...messages.filter(isPurgeMessage));
      if (events.length > 0) batches.push(events);
    },
  };
  return {
    queue,
    batches,
    sweeps,
    purges,
    state,
    /** Every event message sent and not yet taken, in order. */
    get sent() {
      return batches.flat();
    },
    /** The event messages sent so far, which are then forgotten. */
    take: () => batches.splice(0).flat(),
  };
}
