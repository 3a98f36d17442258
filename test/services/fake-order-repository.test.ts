import { orderRepositoryContract } from "../support/order-repository-contract";
import { fakeOrderRepository } from "./fake-order-repository";

// The service tests' fake is held to the same contract as the Postgres repository.
orderRepositoryContract("in-memory fake", async () => fakeOrderRepository().repository);
