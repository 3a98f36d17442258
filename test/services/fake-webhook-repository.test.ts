import { webhookRepositoryContract } from "../support/webhook-repository-contract";
import { fakeWebhookRepository } from "./fake-webhook-repository";

// The service tests' fake is held to the same contract as the Postgres repository.
webhookRepositoryContract("in-memory fake", async () => ({
  repository: fakeWebhookRepository().repository,
  storedEvent: async () => crypto.randomUUID(),
}));
