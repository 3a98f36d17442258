/** A Queues message as the runtime hands it over, recording what the consumer did with it. */
export function message(body: unknown, attempts = 1) {
  const done: { acked?: boolean; retried?: { delaySeconds?: number } } = {};
  const msg = {
    id: crypto.randomUUID(),
    timestamp: new Date(),
    attempts,
    body,
    ack: () => {
      done.acked = true;
    },
    retry: (options?: { delaySeconds?: number }) => {
      done.retried = options ?? {};
    },
  };
  return { msg: msg as unknown as Message<unknown>, done };
}

export const batchOf = (...messages: Message<unknown>[]) => batchFrom("q", ...messages);

/** A batch from the named queue (the consumer tells the slow lane and dead letters by the name). */
export const batchFrom = (queue: string, ...messages: Message<unknown>[]) =>
  ({ queue, messages }) as unknown as MessageBatch<unknown>;
