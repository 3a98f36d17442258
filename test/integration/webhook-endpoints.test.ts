import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/repositories/database";
import { liveApp } from "../support/live-app";
import { TEST_SECRET, testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";
import { receiver } from "../support/webhooks";

const json = (t: string, more: Record<string, string> = {}) => ({
  ...bearer(t),
  "Content-Type": "application/json",
  ...more,
});
interface Endpoint {
  id: string;
  url: string;
  events: string[];
  disabled: boolean;
  disabled_reason: string | null;
  description: string | null;
  secret?: string;
}

async function setUp(overrides: Record<string, unknown> = {}) {
  const live = await liveApp(overrides);
  const admin = await token({ role: "admin" });
  const create = (body: unknown, t = admin) =>
    live.request("/v1/webhook-endpoints", { method: "POST", headers: json(t), body: JSON.stringify(body) });
  return { ...live, admin, create };
}

/** Refusals that come before any database work: the app without one, local receivers allowed unless told. */
async function withoutDatabase(env: Record<string, string> = { WEBHOOK_ALLOW_LOCAL_RECEIVERS: "true" }) {
  const { app } = testApp({ env });
  const request = (path: string, init?: RequestInit) => app.request(path, init);
  const admin = await token({ role: "admin", secret: TEST_SECRET });
  const create = (body: unknown, t = admin) =>
    request("/v1/webhook-endpoints", { method: "POST", headers: json(t), body: JSON.stringify(body) });
  return { request, create, customer: await token({ secret: TEST_SECRET }) };
}

describe("webhook endpoints", () => {
  it("registers an endpoint, shows its secret once, and stores it sealed", async () => {
    const { create, request, admin, bindings } = await setUp();
    const hook = receiver("register");
    const res = await create({ url: hook.url, events: ["order.created", "order.created"], description: "fulfilment" });
    expect(res.status).toBe(201);
    expect(res.headers.get("ETag")).toBe('"v1"');
    const { data } = (await res.json()) as { data: Endpoint };
    expect(res.headers.get("Location")).toBe(`/v1/webhook-endpoints/${data.id}`);
    expect(data).toMatchObject({
      url: hook.url,
      events: ["order.created"],
      disabled: false,
      description: "fulfilment",
    });
    expect(data.secret).toMatch(/^whsec_/);

    const read = await request(`/v1/webhook-endpoints/${data.id}`, { headers: bearer(admin) });
    expect(read.headers.get("ETag")).toBe('"v1"');
    expect(await read.text()).not.toContain("secret");
    const listed = await request("/v1/webhook-endpoints", { headers: bearer(admin) });
    expect(await listed.text()).not.toContain("whsec_");

    const db = createDatabase({
      url: bindings.DATABASE_URL,
      httpEndpoint: env.DATABASE_HTTP_ENDPOINT,
      timeoutMs: 5_000,
    });
    const rows = await db.execute<{ secret: string }>(sql`SELECT secret FROM webhook_endpoints`);
    expect(rows.rows[0]?.secret).not.toContain((data.secret ?? "").slice("whsec_".length));
  });

  it("changes, disables and deletes an endpoint under If-Match, and rotates its secret", async () => {
    const { create, request, admin } = await setUp();
    const { data } = (await (await create({ url: receiver("change").url, events: ["order.created"] })).json()) as {
      data: Endpoint;
    };
    const path = `/v1/webhook-endpoints/${data.id}`;
    const stale = await request(path, { method: "PATCH", headers: json(admin, { "If-Match": '"v9"' }), body: "{}" });
    expect(stale.status).toBe(412);
    const changed = await request(path, {
      method: "PATCH",
      headers: json(admin, { "If-Match": '"v1"' }),
      body: JSON.stringify({ events: ["order.status_changed"], disabled: true, description: null }),
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("ETag")).toBe('"v2"');
    expect(((await changed.json()) as { data: Endpoint }).data).toMatchObject({
      events: ["order.status_changed"],
      disabled: true,
      disabled_reason: "disabled by an admin",
      description: null,
    });
    const enabled = await request(path, {
      method: "PATCH",
      headers: json(admin),
      body: JSON.stringify({ disabled: false }),
    });
    expect(((await enabled.json()) as { data: Endpoint }).data).toMatchObject({
      disabled: false,
      disabled_reason: null,
    });

    const rotated = await request(`${path}/rotate-secret`, {
      method: "POST",
      headers: { ...bearer(admin), "If-Match": '"v3"' },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("ETag")).toBe('"v4"');
    expect(((await rotated.json()) as { data: Endpoint }).data.secret).toMatch(/^whsec_/);

    expect((await request(path, { method: "DELETE", headers: { ...bearer(admin), "If-Match": '"v3"' } })).status).toBe(
      412,
    );
    const deleted = await request(path, { method: "DELETE", headers: bearer(admin) });
    expect(deleted.status).toBe(204);
    expect((await request(path, { headers: bearer(admin) })).status).toBe(404);
    expect((await request(path, { method: "DELETE", headers: bearer(admin) })).status).toBe(404);
    expect((await request(`${path}/deliveries`, { headers: bearer(admin) })).status).toBe(404);
  });

  it("pages endpoints newest first", async () => {
    const { create, request, admin } = await setUp();
    for (let i = 0; i < 3; i++) await create({ url: receiver(`page-${i}`).url, events: ["order.created"] });
    const first = (await (await request("/v1/webhook-endpoints?limit=2", { headers: bearer(admin) })).json()) as {
      data: Endpoint[];
      page: { next_cursor: string };
    };
    expect(first.data).toHaveLength(2);
    const second = (await (
      await request(`/v1/webhook-endpoints?limit=2&cursor=${first.page.next_cursor}`, { headers: bearer(admin) })
    ).json()) as { data: Endpoint[]; page: { next_cursor: null } };
    expect(second.data).toHaveLength(1);
    expect(second.page.next_cursor).toBeNull();
    const bad = await request(`/v1/events?cursor=${first.page.next_cursor}`, { headers: bearer(admin) });
    expect(bad.status).toBe(400);
  });

  it("is for admins only: customers get 403 on every route, strangers 401", async () => {
    const { request, create, customer } = await withoutDatabase();
    const id = crypto.randomUUID();
    expect((await create({ url: receiver("nope").url, events: ["order.created"] }, customer)).status).toBe(403);
    for (const [method, path] of [
      ["GET", "/v1/webhook-endpoints"],
      ["GET", `/v1/webhook-endpoints/${id}`],
      ["PATCH", `/v1/webhook-endpoints/${id}`],
      ["DELETE", `/v1/webhook-endpoints/${id}`],
      ["POST", `/v1/webhook-endpoints/${id}/rotate-secret`],
      ["GET", `/v1/webhook-endpoints/${id}/deliveries`],
      ["POST", `/v1/events/${id}/redeliver`],
    ] as const) {
      expect(
        (await request(path, { method, headers: json(customer), body: method === "GET" ? undefined : "{}" })).status,
        path,
      ).toBe(403);
      expect((await request(path, { method })).status, path).toBe(401);
    }
  });

  it("refuses SSRF-shaped URLs and invalid bodies with the field that is wrong", async () => {
    const { create } = await withoutDatabase();
    for (const url of [
      "http://example.com/hook",
      "https://user:pw@example.com/hook",
      "https://localhost/hook",
      "https://169.254.169.254/latest/meta-data/",
      "https://10.0.0.8/hook",
      "https://[fd00::1]/hook",
      "https://[::ffff:7f00:1]/hook",
      "https://metadata.google.internal/",
      "http://localhost:8787/hook",
    ]) {
      const res = await create({ url, events: ["order.created"] });
      expect(res.status, url).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; fields: { path: string }[] } };
      expect(
        error.fields.map((f) => f.path),
        url,
      ).toEqual(["url"]);
    }
    for (const body of [
      { url: "https://example.com" },
      { url: "https://example.com", events: [] },
      { url: "https://example.com", events: ["order.deleted"] },
      { url: "https://example.com", events: ["order.created"], secret: "mine" },
    ]) {
      expect((await create(body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it("refuses receivers on this machine where local receivers are off", async () => {
    const { create } = await withoutDatabase({ WEBHOOK_ALLOW_LOCAL_RECEIVERS: "false" });
    const res = await create({ url: receiver("local").url, events: ["order.created"] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: { message: string }[] } }).error.fields[0]?.message).toBe(
      "must be https",
    );
  });
});

describe("readiness and local receivers", () => {
  it("fails /readyz, naming the setting, where local receivers are on against Neon's own endpoint", async () => {
    const deployed = testApp({ env: { WEBHOOK_ALLOW_LOCAL_RECEIVERS: "true" } });
    const res = await deployed.app.request("/readyz");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, string> }).checks.webhooks).toMatch(
      /WEBHOOK_ALLOW_LOCAL_RECEIVERS/,
    );
    const local = testApp({
      env: { WEBHOOK_ALLOW_LOCAL_RECEIVERS: "true", DATABASE_HTTP_ENDPOINT: "http://127.0.0.1:1/sql" },
    });
    expect((await local.app.request("/readyz")).status).toBe(200);
    expect((await testApp().app.request("/readyz")).status).toBe(200);
  });
});
