import { describe, expect, it } from "vitest";
import { serverStats } from "../support/database";
import { callerOf } from "../support/http";
import { liveApp } from "../support/live-app";
import { token } from "../support/tokens";

/**
 * The production isolate on a database of its own, with requests as a client sends them. Not the
 * run's shared database: the queue consumer reads it in the background, after creates of this file
 * and of files before it, and its round trips would be counted here.
 */
async function countingApp() {
  const { request, database } = await liveApp();
  const trips = async () => (await serverStats()).byDatabase[database]?.roundTrips ?? 0;
  const call = callerOf(request);
  async function roundTripsOf(send: () => Promise<Response>): Promise<{ trips: number; res: Response }> {
    const before = await trips();
    const res = await send();
    await res.clone().arrayBuffer();
    return { trips: (await trips()) - before, res };
  }
  return { call, trips, roundTripsOf };
}

describe("one database round trip per request", () => {
  it("for create (with items and idempotency record), get, list, cancel and status change", async () => {
    const { call, roundTripsOf } = await countingApp();
    const t = await token();
    const admin = await token({ role: "admin" });
    const items = Array.from({ length: 10 }, (_, i) => ({ sku: `RT-${i}`, quantity: 1 + i, unit_price: 100 * i }));

    const created = await roundTripsOf(() =>
      call("POST", "/v1/orders", t, { currency: "USD", items }, { "Idempotency-Key": crypto.randomUUID() }),
    );
    expect(created.res.status).toBe(201);
    expect(created.trips).toBe(1);
    const id = ((await created.res.json()) as { data: { id: string } }).data.id;
    const second = await call("POST", "/v1/orders", t, { currency: "USD", items });
    const secondId = ((await second.json()) as { data: { id: string } }).data.id;

    const key = crypto.randomUUID();
    const first = await call("POST", "/v1/orders", t, { currency: "EUR", items }, { "Idempotency-Key": key });
    expect(first.status).toBe(201);

    const checks: [string, number, () => Promise<Response>][] = [
      ["replay", 201, () => call("POST", "/v1/orders", t, { currency: "EUR", items }, { "Idempotency-Key": key })],
      ["key reuse", 422, () => call("POST", "/v1/orders", t, { currency: "GBP", items }, { "Idempotency-Key": key })],
      ["get", 200, () => call("GET", `/v1/orders/${id}`, t)],
      ["list", 200, () => call("GET", "/v1/orders?limit=50", t)],
      ["list with items", 200, () => call("GET", "/v1/orders?limit=50&include=items", t)],
      ["status change", 200, () => call("PATCH", `/v1/orders/${id}`, admin, { status: "paid" })],
      ["refused status change", 409, () => call("PATCH", `/v1/orders/${id}`, admin, { status: "paid" })],
      ["cancel", 200, () => call("POST", `/v1/orders/${secondId}/cancel`, t)],
      ["refused cancel", 409, () => call("POST", `/v1/orders/${secondId}/cancel`, t)],
    ];
    for (const [name, status, request] of checks) {
      const { trips, res } = await roundTripsOf(request);
      expect(res.status, name).toBe(status);
      expect(trips, name).toBe(1);
    }
  });

  it("for each of two creates racing with one key: one creates, the other replays it", async () => {
    const { call, trips } = await countingApp();
    const t = await token();
    const key = crypto.randomUUID();
    const body = { currency: "USD", items: [{ sku: "RACE", quantity: 1, unit_price: 5 }] };
    const create = () => call("POST", "/v1/orders", t, body, { "Idempotency-Key": key });
    const before = await trips();
    const answers = await Promise.all([create(), create()]);
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect((await trips()) - before).toBe(2);
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    expect(answers.map((r) => r.headers.get("Idempotent-Replayed")).sort()).toEqual(["true", null].sort());
    expect(texts[0]).toBe(texts[1]);
  });
});
