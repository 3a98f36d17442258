import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { priceItems } from "../../src/domain/order";
import worker from "../../src/index";
import { createDatabase } from "../../src/repositories/database";
import { createPostgresOrderRepository } from "../../src/repositories/postgres-order-repository";
import { idempotencyKeys } from "../../src/repositories/schema";

const db = createDatabase({ url: env.DATABASE_URL, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 30_000 });
const repository = createPostgresOrderRepository(db);

async function storeKey(key: string, expiresAt: Date) {
  const { items, total } = priceItems([{ sku: "CRON", quantity: 1, unitPrice: 1 }]);
  const createdAt = new Date(expiresAt.getTime() - 86_400_000);
  const callerId = crypto.randomUUID();
  await repository.create(
    {
      id: crypto.randomUUID(),
      customerId: callerId,
      customerIssuer: "",
      status: "pending",
      currency: "USD",
      items,
      itemCount: 1,
      total,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    },
    { caller: { id: callerId, issuer: "" }, key, requestHash: "0".repeat(64), expiresAt },
    { id: crypto.randomUUID() },
  );
}

describe("the Cron Trigger", () => {
  it("deletes expired idempotency records and keeps live ones", async () => {
    const run = crypto.randomUUID();
    const expired = Array.from({ length: 3 }, (_, i) => `${run}-expired-${i}`);
    const live = `${run}-live`;
    for (const key of expired) await storeKey(key, new Date(Date.now() - 60_000));
    await storeKey(live, new Date(Date.now() + 3_600_000));

    // The worker's own `scheduled` handler, as the runtime calls it for the Cron Trigger.
    const controller = createScheduledController({ cron: "17 * * * *", scheduledTime: new Date() });
    await worker.scheduled(controller, env);

    const left = await db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(inArray(idempotencyKeys.key, [...expired, live]));
    expect(left.map((r) => r.key)).toEqual([live]);
  });
});
