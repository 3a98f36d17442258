import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { jwksOf, type ProviderKey, providerKey, providerToken } from "../support/identity-provider";
import { liveApp } from "../support/live-app";
import { token } from "../support/tokens";

/**
 * Orders of an identity provider's users, end to end on the real database: the subject as the provider
 * names it owns the order, lists it, and nobody else sees it; an admin finds it by that subject.
 */
const endpoint = (env as unknown as { TEST_JWKS_ENDPOINT: string }).TEST_JWKS_ENDPOINT;
const ISSUER = "https://tenant.idp.example/";
const AUDIENCE = "orders-api";
const ALICE = "auth0|65f0c0ffee123456789abcde";
const BOB = "auth0|65f0c0ffee123456789ABCDE";

let key: ProviderKey;
let jwksUrl: string;
beforeAll(async () => {
  key = await providerKey("ES256", "tenant-1");
  const name = `subjects-${Date.now().toString(36)}`;
  await fetch(`${endpoint}/_control/${name}`, { method: "POST", body: JSON.stringify({ jwks: jwksOf(key) }) });
  jwksUrl = `${endpoint}/${name}`;
});

const tokenFor = (sub: string, extra: Record<string, unknown> = {}) =>
  providerToken(key, { sub, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600, ...extra });

const body = JSON.stringify({ currency: "EUR", items: [{ sku: "SKU-1", quantity: 1, unit_price: 250 }] });

describe("orders of an identity provider's users", () => {
  it("belong to the subject as the provider names it, case and all, and to nobody else", async () => {
    const { request } = await liveApp({
      JWT_MODES: "hs256,jwks",
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    const as = async (sub: string, path: string, init: RequestInit = {}, extra: Record<string, unknown> = {}) =>
      request(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${await tokenFor(sub, extra)}` } });

    const created = await as(ALICE, "/v1/orders", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "Idempotency-Key": "first" },
    });
    expect(created.status).toBe(201);
    const order = ((await created.json()) as { data: { id: string; customer_id: string } }).data;
    expect(order.customer_id).toBe(ALICE);

    const mine = (await (await as(ALICE, "/v1/orders")).json()) as { data: { id: string }[] };
    expect(mine.data.map((o) => o.id)).toEqual([order.id]);
    expect((await as(BOB, `/v1/orders/${order.id}`)).status).toBe(404);
    expect(((await (await as(BOB, "/v1/orders")).json()) as { data: unknown[] }).data).toEqual([]);

    const byAdmin = await as("admin|1", `/v1/orders?customer_id=${encodeURIComponent(ALICE)}`, {}, { role: "admin" });
    expect(((await byAdmin.json()) as { data: { id: string }[] }).data.map((o) => o.id)).toEqual([order.id]);

    const replay = await as(ALICE, "/v1/orders", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "Idempotency-Key": "first" },
    });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");

    // A second order, and Alice's listing a page at a time: the cursor is bound to her subject.
    await as(ALICE, "/v1/orders", { method: "POST", body, headers: { "Content-Type": "application/json" } });
    const first = (await (await as(ALICE, "/v1/orders?limit=1")).json()) as { page: { next_cursor: string } };
    const next = `/v1/orders?limit=1&cursor=${first.page.next_cursor}`;
    const second = (await (await as(ALICE, next)).json()) as { data: { id: string }[] };
    expect(second.data.map((o) => o.id)).toEqual([order.id]);
    expect((await as(BOB, next)).status).toBe(400);
  });

  it("are told apart by issuer: a provider's UUID subject as written is neither another casing nor our own customer", async () => {
    const { request } = await liveApp({
      JWT_MODES: "hs256,jwks",
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    const send = (bearer: string, path: string, init: RequestInit = {}) =>
      request(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${bearer}` } });
    const subject = crypto.randomUUID().toUpperCase();
    const provider = await tokenFor(subject);
    const providerLower = await tokenFor(subject.toLowerCase());
    // This service's own token for the same UUID, with the iss and aud this deployment checks.
    const own = await token({ sub: subject.toLowerCase(), claims: { iss: ISSUER, aud: AUDIENCE } });
    const create = (bearer: string) =>
      send(bearer, "/v1/orders", {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json", "Idempotency-Key": "same-key" },
      });

    const created = await create(provider);
    expect(created.status).toBe(201);
    const order = ((await created.json()) as { data: { id: string; customer_id: string } }).data;
    expect(order.customer_id).toBe(subject);
    for (const other of [providerLower, own]) {
      expect((await send(other, `/v1/orders/${order.id}`)).status).toBe(404);
      expect(((await (await send(other, "/v1/orders")).json()) as { data: unknown[] }).data).toEqual([]);
      expect(((await (await send(other, "/v1/events")).json()) as { data: unknown[] }).data).toEqual([]);
      expect((await send(other, `/v1/orders/${order.id}/cancel`, { method: "POST" })).status).toBe(404);
    }
    const events = (await (await send(provider, "/v1/events")).json()) as { data: { id: string }[] };
    expect(events.data).toHaveLength(1);
    expect((await send(own, `/v1/events/${events.data[0]?.id}`)).status).toBe(404);

    // The same Idempotency-Key is another customer's: a new order, not the provider customer's replay.
    const ours = await create(own);
    expect(ours.status).toBe(201);
    expect(ours.headers.get("Idempotent-Replayed")).toBeNull();
    expect(((await ours.json()) as { data: { customer_id: string } }).data.customer_id).toBe(subject.toLowerCase());

    // An admin names customers of their own issuer.
    const ownAdmin = await token({ role: "admin", claims: { iss: ISSUER, aud: AUDIENCE } });
    const providerAdmin = await tokenFor("admin|1", { role: "admin" });
    const ids = async (bearer: string, customer: string) =>
      ((await (await send(bearer, `/v1/orders?customer_id=${customer}`)).json()) as { data: { id: string }[] }).data;
    expect(await ids(providerAdmin, subject)).toEqual([expect.objectContaining({ id: order.id })]);
    expect(await ids(providerAdmin, subject.toLowerCase())).toEqual([]);
    expect((await ids(ownAdmin, subject)).map((o) => o.id)).not.toContain(order.id);
  });

  it("keep customer_id a UUID where only this service's own tokens are accepted", async () => {
    const { request } = await liveApp();
    const res = await request(`/v1/orders?customer_id=${encodeURIComponent(ALICE)}`, {
      headers: { Authorization: `Bearer ${await token({ role: "admin" })}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
  });
});
