import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, injectFaults } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

describe("a create whose answer was lost after it committed", () => {
  it("is replayed by its retry with the same key, and nothing is created twice", async () => {
    const { request, database } = await liveApp();
    const t = await token();
    const create = () =>
      request("/v1/orders", {
        method: "POST",
        headers: { ...bearer(t), "Content-Type": "application/json", "Idempotency-Key": "lost-answer-1" },
        body: JSON.stringify({ currency: "GBP", items: [{ sku: "LOST", quantity: 3, unit_price: 250 }] }),
      });

    await injectFaults({ commitThenDrop: true, times: 1, database });
    const lost = await create();
    expect(lost.status).toBe(503);
    expect(((await lost.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");

    const retry = await create();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    const replayed = (await retry.json()) as { data: { id: string; total: number } };
    expect(replayed.data.total).toBe(750);
    expect(retry.headers.get("Location")).toBe(`/v1/orders/${replayed.data.id}`);

    const list = (await (await request("/v1/orders", { headers: bearer(t) })).json()) as { data: { id: string }[] };
    expect(list.data.map((o) => o.id)).toEqual([replayed.data.id]);
  });
});
