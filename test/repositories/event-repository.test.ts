import { createPostgresEventRepository } from "../../src/repositories/postgres-event-repository";
import { createPostgresOrderRepository } from "../../src/repositories/postgres-order-repository";
import { createPostgresWebhookRepository } from "../../src/repositories/postgres-webhook-repository";
import { freshDatabase } from "../support/database";
import { eventRepositoryContract } from "../support/event-repository-contract";

eventRepositoryContract("Postgres (Drizzle over the Neon HTTP driver)", async () => {
  const { db } = await freshDatabase("events");
  return {
    orders: createPostgresOrderRepository(db),
    events: createPostgresEventRepository(db),
    webhooks: createPostgresWebhookRepository(db),
  };
});
