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

describe("a write whose outcome is unknown", () => {
  const json = (t: string) => ({ ...bearer(t), "Content-Type": "application/json" });
  const order = JSON.stringify({ currency: "USD", items: [{ sku: "LOST-2", quantity: 1, unit_price: 100 }] });

  it("is OUTCOME_UNKNOWN without Retry-After for a create without Idempotency-Key, and the order exists once", async () => {
    const { request, database } = await liveApp();
    const t = await token();
    await injectFaults({ commitThenDrop: true, times: 1, database });
    const lost = await request("/v1/orders", { method: "POST", headers: json(t), body: order });
    expect(lost.status).toBe(503);
    expect(lost.headers.get("Retry-After")).toBeNull();
    const { error } = (await lost.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("OUTCOME_UNKNOWN");
    expect(error.message).toMatch(/Idempotency-Key/);

    const list = (await (await request("/v1/orders", { headers: bearer(t) })).json()) as { data: unknown[] };
    expect(list.data).toHaveLength(1);
  });

  it("is OUTCOME_UNKNOWN for a cancel; the retry's 409 says the order is cancelled in details", async () => {
    const { request, database } = await liveApp();
    const t = await token();
    const created = (await (await request("/v1/orders", { method: "POST", headers: json(t), body: order })).json()) as {
      data: { id: string };
    };
    const cancel = () => request(`/v1/orders/${created.data.id}/cancel`, { method: "POST", headers: bearer(t) });
    await injectFaults({ commitThenDrop: true, times: 1, database });
    const lost = await cancel();
    expect(lost.status).toBe(503);
    expect(lost.headers.get("Retry-After")).toBeNull();
    const { error } = (await lost.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("OUTCOME_UNKNOWN");
    expect(error.message).toMatch(/read it/);

    const retry = await cancel();
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({
      error: { code: "CONFLICT", details: { current_status: "cancelled" } },
    });
  });

  it("keeps SERVICE_UNAVAILABLE with Retry-After when nothing can have been applied (the database refused)", async () => {
    const { request, database } = await liveApp();
    const t = await token();
    await injectFaults({ status: 503, times: 1, database });
    const refused = await request("/v1/orders", { method: "POST", headers: json(t), body: order });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("5");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");
  });
});
