import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createClient } from "../src/client";
import { BASE } from "./support/http";
import { token } from "./support/tokens";

/**
 * The README's walkthrough through the typed client (src/client.ts) against the worker: every request and
 * answer below is typed by the routes' declarations. The `@ts-expect-error` lines are programs that must not
 * compile; `npm run typecheck` fails if one ever does.
 */
const clientFor = async (sub: string, role?: string) =>
  createClient(BASE, { token: await token({ sub, ...(role ? { role } : {}) }), fetch: SELF.fetch.bind(SELF) });

const ORDER = { currency: "USD" as const, items: [{ sku: "SKU-1", quantity: 2, unit_price: 1999 }] };

describe("the typed client", () => {
  it("walks the README: create, replay, read, list, refusals, status changes, cancel, events", async () => {
    const customer = crypto.randomUUID();
    const api = await clientFor(customer);
    const other = await clientFor(crypto.randomUUID());
    const admin = await clientFor(crypto.randomUUID(), "admin");
    const key = crypto.randomUUID();

    const created = await api.v1.orders.$post({ json: ORDER }, { headers: { "Idempotency-Key": key } });
    expect(created.status).toBe(201);
    if (created.status !== 201) throw new Error("not created");
    const { data } = await created.json();
    const id: string = data.id;
    expect(data).toMatchObject({ customer_id: customer, status: "pending", total: 3998 });

    const replay = await api.v1.orders.$post({ json: ORDER }, { headers: { "Idempotency-Key": key } });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");

    const read = await api.v1.orders[":id"].$get({ param: { id } });
    expect(read.headers.get("ETag")).toBe('"v1"');
    const list = await api.v1.orders.$get({ query: { limit: "20" } });
    expect((await list.json()).data.map((o) => o.id)).toEqual([id]);
    expect((await other.v1.orders[":id"].$get({ param: { id } })).status).toBe(404);

    const invalid = await api.v1.orders.$post({
      // @ts-expect-error: quantity is a number; the service names the field all the same.
      json: { ...ORDER, items: [{ sku: "SKU-1", quantity: "2", unit_price: 1999 }] },
    });
    expect(invalid.status).toBe(400);

    const second = await api.v1.orders.$post({ json: ORDER });
    const secondId = second.status === 201 ? (await second.json()).data.id : "";
    const paid = await admin.v1.orders[":id"].$patch(
      { param: { id: secondId }, json: { status: "paid" } },
      { headers: { "If-Match": '"v1"' } },
    );
    expect(paid.status).toBe(200);
    const stale = await admin.v1.orders[":id"].$patch(
      { param: { id: secondId }, json: { status: "shipped" } },
      { headers: { "If-Match": '"v1"' } },
    );
    expect(stale.status).toBe(412);

    const cancelled = await api.v1.orders[":id"].cancel.$post({ param: { id }, json: {} });
    expect(cancelled.status).toBe(200);
    expect((await api.v1.orders[":id"].cancel.$post({ param: { id }, json: {} })).status).toBe(409);

    const events = await api.v1.events.$get({ query: { limit: "2" } });
    const page = await events.json();
    expect(page.data.map((e) => e.type)).toEqual(["order.status_changed", "order.status_changed"]);
  });

  it("refuses at compile time what the API would refuse at run time", () => {
    const api = createClient(BASE);
    // Declared, never sent: each line is a program the compiler must reject.
    const programs = [
      // @ts-expect-error: no such field in a create's body.
      () => api.v1.orders.$post({ json: { ...ORDER, discount: 5 } }),
      // @ts-expect-error: a misspelt path.
      () => api.v1.order.$get(),
      // @ts-expect-error: an order's path needs its id.
      () => api.v1.orders[":id"].$get({}),
      // @ts-expect-error: a status the API does not take.
      () => api.v1.orders[":id"].$patch({ param: { id: "x" }, json: { status: "lost" } }),
    ];
    expect(programs).toHaveLength(4);
  });
});
