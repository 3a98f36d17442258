import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { serverStats } from "../support/database";
import { bearer, token } from "../support/tokens";

const database = new URL(env.DATABASE_URL).pathname.slice(1);

async function roundTripsOf(request: () => Promise<Response>): Promise<{ trips: number; res: Response }> {
  const before = (await serverStats()).byDatabase[database]?.roundTrips ?? 0;
  const res = await request();
  await res.clone().arrayBuffer();
  const after = (await serverStats()).byDatabase[database]?.roundTrips ?? 0;
  return { trips: after - before, res };
}

describe("one database round trip per request", () => {
  it("for create (with items and idempotency record), get, list, cancel and status change", async () => {
    const t = await token();
    const admin = await token({ role: "admin" });
    const send = (method: string, path: string, auth: string, body?: unknown, headers: Record<string, string> = {}) =>
      SELF.fetch(`http://order-service.test${path}`, {
        method,
        headers: { ...bearer(auth), ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
    const items = Array.from({ length: 10 }, (_, i) => ({ sku: `RT-${i}`, quantity: 1 + i, unit_price: 100 * i }));

    const created = await roundTripsOf(() =>
      send("POST", "/v1/orders", t, { currency: "USD", items }, { "Idempotency-Key": crypto.randomUUID() }),
    );
    expect(created.res.status).toBe(201);
    expect(created.trips).toBe(1);
    const id = ((await created.res.json()) as { data: { id: string } }).data.id;
    const second = await send("POST", "/v1/orders", t, { currency: "USD", items });
    const secondId = ((await second.json()) as { data: { id: string } }).data.id;

    const checks: [string, () => Promise<Response>][] = [
      ["get", () => send("GET", `/v1/orders/${id}`, t)],
      ["list", () => send("GET", "/v1/orders?limit=50", t)],
      ["list with items", () => send("GET", "/v1/orders?limit=50&include=items", t)],
      ["status change", () => send("PATCH", `/v1/orders/${id}`, admin, { status: "paid" })],
      ["cancel", () => send("POST", `/v1/orders/${secondId}/cancel`, t)],
    ];
    for (const [name, request] of checks) {
      const { trips, res } = await roundTripsOf(request);
      expect(res.status, name).toBe(200);
      expect(trips, name).toBe(1);
    }
  });
});
