import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import type { StoredEndpoint } from "../../src/services/webhook-repository";
import { fakeWebhookRepository } from "../services/fake-webhook-repository";
import { TEST_SECRET, testApp } from "../support/test-app";

/** The webhook endpoints' routes over the in-memory repository, through the app as built in production. */
const ID = "7a2f1c3b-0000-4000-8000-000000000001";
const endpoint: StoredEndpoint = {
  id: ID,
  url: "https://receiver.example.com/hooks",
  description: "fulfilment",
  events: ["order.created"],
  disabled: false,
  disabledReason: null,
  version: 2,
  createdAt: new Date("2026-11-25T12:00:00.000Z"),
  updatedAt: new Date("2026-11-25T12:05:00.000Z"),
  secret: "sealed:secret",
  previousSecrets: [],
  failingSince: null,
  slowSince: null,
};

async function asAdmin(path: string, init: RequestInit = {}) {
  const fake = fakeWebhookRepository();
  fake.endpoints.set(ID, structuredClone(endpoint));
  const { app } = testApp({ webhookRepository: fake.repository });
  const token = await sign(
    { sub: crypto.randomUUID(), role: "admin", exp: Math.floor(Date.now() / 1000) + 600 },
    TEST_SECRET,
    "HS256",
  );
  const res = await app.request(path, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
  return { res, fake };
}

describe("the webhook endpoints' routes", () => {
  it("answer an endpoint without its secret, with its version as the ETag", async () => {
    const { res } = await asAdmin(`/v1/webhook-endpoints/${ID.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBe('"v2"');
    expect(await res.json()).toEqual({
      data: {
        id: ID,
        url: endpoint.url,
        description: "fulfilment",
        events: ["order.created"],
        disabled: false,
        disabled_reason: null,
        slow_since: null,
        created_at: "2026-11-25T12:00:00.000Z",
        updated_at: "2026-11-25T12:05:00.000Z",
      },
    });
  });

  it("disable an endpoint under If-Match, and refuse a stale one with 412, changing nothing", async () => {
    const patch = (etag: string) => ({
      method: "PATCH",
      headers: { "Content-Type": "application/json", "If-Match": etag },
      body: JSON.stringify({ disabled: true }),
    });
    const stale = await asAdmin(`/v1/webhook-endpoints/${ID}`, patch('"v1"'));
    expect(stale.res.status).toBe(412);
    expect(stale.fake.endpoints.get(ID)?.disabled).toBe(false);
    const done = await asAdmin(`/v1/webhook-endpoints/${ID}`, patch('"v2"'));
    expect(done.res.status).toBe(200);
    expect(done.res.headers.get("ETag")).toBe('"v3"');
    expect(done.fake.endpoints.get(ID)).toMatchObject({ disabled: true, disabledReason: "disabled by an admin" });
  });

  it("answer 404 for an endpoint that does not exist", async () => {
    const { res } = await asAdmin(`/v1/webhook-endpoints/${crypto.randomUUID()}`);
    expect(res.status).toBe(404);
  });
});
