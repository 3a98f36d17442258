import { eventRepositoryContract } from "../support/event-repository-contract";
import { fakeEventRepository } from "./fake-event-repository";
import { fakeOrderRepository } from "./fake-order-repository";
import { fakeWebhookRepository } from "./fake-webhook-repository";

// The event jobs' fake is held to the same contract as the Postgres repository, over the order and
// webhook fakes' state as the real one reads the rows their repositories write.
eventRepositoryContract("in-memory fake", async () => {
  const orders = fakeOrderRepository();
  const webhooks = fakeWebhookRepository();
  return {
    orders: orders.repository,
    events: fakeEventRepository(orders, webhooks.attempts),
    webhooks: webhooks.repository,
  };
});
