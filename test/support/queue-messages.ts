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

export const batchOf = (...messages: Message<unknown>[]) =>
  ({ queue: "q", messages }) as unknown as MessageBatch<unknown>;
