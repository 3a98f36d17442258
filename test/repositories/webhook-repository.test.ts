import { createPostgresOrderRepository } from "../../src/repositories/postgres-order-repository";
import { createPostgresWebhookRepository } from "../../src/repositories/postgres-webhook-repository";
import { freshDatabase } from "../support/database";
import { newOrder } from "../support/order-repository-contract";
import { webhookRepositoryContract } from "../support/webhook-repository-contract";

webhookRepositoryContract("Postgres (Drizzle over the Neon HTTP driver)", async () => {
  const { db } = await freshDatabase("webhooks");
  const orders = createPostgresOrderRepository(db);
  return {
    repository: createPostgresWebhookRepository(db),
    // An attempt names a stored event: an order's creation writes one.
    async storedEvent() {
      const id = crypto.randomUUID();
      await orders.create(newOrder(crypto.randomUUID()), undefined, { id });
      return id;
    },
  };
});
