import type { EventMessage, EventQueue } from "../../src/services/event-messages";

/**
 * A stand-in for the EVENTS_QUEUE producer that keeps what it was sent, so a test can hand each
 * message to the consumer itself, with the attempt count it chooses; `refusing` makes `send` fail
 * as a queue that is down does. No workerd APIs: unit tests in Node use it too.
 */
export function recordingQueue() {
  /** Each call's messages as sent: one batch per `send`. */
  const batches: EventMessage[][] = [];
  const state = { refusing: false };
  const queue: EventQueue = {
    async send(messages) {
      if (state.refusing) throw new Error("queue unavailable");
      batches.push(messages);
    },
  };
  return {
    queue,
    batches,
    state,
    /** Every message sent and not yet taken, in order. */
    get sent() {
      return batches.flat();
    },
    /** The messages sent so far, which are then forgotten. */
    take: () => batches.splice(0).flat(),
  };
}
