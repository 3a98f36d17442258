import { describe, expect, it } from "vitest";
import type { Caller } from "../../src/domain/caller";
import type { DeliveryAttempt, WebhookEndpoint } from "../../src/domain/webhook-endpoint";
import {
  createWebhookEndpointService,
  MAX_PREVIOUS_SECRETS,
  PREVIOUS_SECRET_TTL_MS,
  type SigningSecrets,
} from "../../src/services/webhook-endpoint-service";
import type { StoredEndpoint, WebhookRepository } from "../../src/services/webhook-repository";
import { fakeWebhookRepository } from "./fake-webhook-repository";

const NOW = Date.parse("2026-12-02T10:00:00.750Z");
const ADMIN: Caller = { id: "admin-1", issuer: "", role: "admin" };
const CUSTOMER: Caller = { id: "customer-1", issuer: "", role: "customer" };

const endpoint = (over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: "wh-1",
  url: "https://receiver.example.com/hooks",
  description: null,
  events: ["order.created"],
  disabled: false,
  disabledReason: null,
  slowSince: null,
  version: 3,
  createdAt: new Date(NOW - 60_000),
  updatedAt: new Date(NOW - 60_000),
  ...over,
});
const stored = (over: Partial<StoredEndpoint> = {}): StoredEndpoint => ({
  ...endpoint(),
  secret: "sealed:old",
  previousSecrets: [],
  failingSince: null,
  slowSince: null,
  ...over,
});

/**
 * The service over the in-memory repository (held to the Postgres repository's contract), holding these
 * endpoints; `asked` lists the repository methods the service called, in order.
 */
function serviceWith(endpoints: StoredEndpoint[] = [], { allowLocalReceivers = false } = {}) {
  const fake = fakeWebhookRepository();
  for (const e of endpoints) fake.endpoints.set(e.id, structuredClone(e));
  const asked: string[] = [];
  const repository = Object.fromEntries(
    Object.entries(fake.repository).map(([name, method]) => [
      name,
      (...args: unknown[]) => {
        asked.push(name);
        return (method as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as WebhookRepository;
  let secrets = 0;
  const signing: SigningSecrets = {
    generate: () => `whsec_${++secrets}`,
    seal: async (plain) => `sealed:${plain}`,
    open: async () => ({ plain: "unused", stale: false }),
  };
  const service = createWebhookEndpointService({
    repository,
    secrets: signing,
    allowLocalReceivers,
    now: () => NOW,
    newId: () => "wh-new",
  });
  return { service, fake, asked };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "no refusal",
    (err: { code: string; message: string; fields?: unknown }) => ({
      code: err.code,
      message: err.message,
      ...(err.fields ? { fields: err.fields } : {}),
    }),
  );

describe("who may manage endpoints", () => {
  it("refuses a customer everything, before asking storage", async () => {
    const { service, asked } = serviceWith([stored()]);
    const calls = [
      service.create(CUSTOMER, { url: "https://example.com/h", events: ["order.created"] }),
      service.list(CUSTOMER, { limit: 10 }),
      service.get(CUSTOMER, "wh-1"),
      service.update(CUSTOMER, "wh-1", { disabled: true }),
      service.remove(CUSTOMER, "wh-1"),
      service.rotateSecret(CUSTOMER, "wh-1"),
      service.deliveries(CUSTOMER, "wh-1", { limit: 10 }),
    ];
    for (const call of calls) {
      expect(await refusal(call)).toEqual({ code: "FORBIDDEN", message: "requires the admin role" });
    }
    expect(asked).toEqual([]);
  });
});

describe("creating an endpoint", () => {
  it("stores it with its secret sealed, and shows the secret in clear this once", async () => {
    const { service, fake } = serviceWith();
    const created = await service.create(ADMIN, {
      url: "https://receiver.example.com/hooks",
      events: ["order.created", "order.status_changed", "order.created"],
      description: "fulfilment",
    });
    const at = new Date(Math.floor(NOW));
    const expected: WebhookEndpoint = {
      id: "wh-new",
      url: "https://receiver.example.com/hooks",
      description: "fulfilment",
      events: ["order.created", "order.status_changed"],
      disabled: false,
      disabledReason: null,
      slowSince: null,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    expect(created).toEqual({ endpoint: expected, secret: "whsec_1" });
    expect(fake.endpoints.get("wh-new")).toEqual({
      ...expected,
      secret: "sealed:whsec_1",
      previousSecrets: [],
      failingSince: null,
    });
  });

  it("gives a new endpoint a random UUID by default", async () => {
    const service = createWebhookEndpointService({
      repository: fakeWebhookRepository().repository,
      secrets: { generate: () => "whsec_x", seal: async (p) => p, open: async (p) => ({ plain: p, stale: false }) },
      allowLocalReceivers: false,
    });
    const created = (url: string) => service.create(ADMIN, { url, events: ["order.created"] });
    const [a, b] = await Promise.all([created("https://a.example.com/"), created("https://b.example.com/")]);
    expect(a.endpoint.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.endpoint.id).not.toBe(b.endpoint.id);
  });

  it("has no description unless given one", async () => {
    const { service } = serviceWith();
    const { endpoint: created } = await service.create(ADMIN, {
      url: "https://example.com/h",
      events: ["order.created"],
    });
    expect(created.description).toBeNull();
  });

  it("refuses a receiver URL the rules refuse, as a field error, and stores nothing", async () => {
    const { service, fake } = serviceWith();
    const answer = await refusal(service.create(ADMIN, { url: "http://127.0.0.1:9/h", events: ["order.created"] }));
    expect(answer).toEqual({
      code: "VALIDATION_ERROR",
      message: "the request is invalid",
      fields: [{ path: "url", message: expect.stringMatching(/./) }],
    });
    expect(fake.endpoints.size).toBe(0);
  });

  it("takes a receiver on this machine when local receivers are allowed (development and tests)", async () => {
    const { service } = serviceWith([], { allowLocalReceivers: true });
    const { endpoint: created } = await service.create(ADMIN, {
      url: "http://127.0.0.1:9/h",
      events: ["order.created"],
    });
    expect(created.url).toBe("http://127.0.0.1:9/h");
  });
});

describe("reading endpoints", () => {
  it("lists a page newest first, and where the next one starts", async () => {
    const rows = [0, 1, 2].map((i) => stored({ id: `wh-${i}`, createdAt: new Date(NOW - (3 - i) * 1000) }));
    const { service } = serviceWith(rows);
    const page = await service.list(ADMIN, { limit: 2 });
    expect(page.items.map((e) => e.id)).toEqual(["wh-2", "wh-1"]);
    expect(page.next).toEqual({ createdAt: rows[1]?.createdAt, id: "wh-1" });
    const last = await service.list(ADMIN, { limit: 2, after: page.next ?? undefined });
    expect(last).toEqual({ items: [expect.objectContaining({ id: "wh-0" })], next: null });
    expect(last.items[0]).not.toHaveProperty("secret");
  });

  it("gets one without its secrets, or 404", async () => {
    const { service } = serviceWith([
      stored({ previousSecrets: [{ secret: "sealed:prev", expiresAt: new Date(NOW) }] }),
    ]);
    expect(await service.get(ADMIN, "wh-1")).toEqual(endpoint());
    expect(await refusal(service.get(ADMIN, "wh-2"))).toEqual({
      code: "NOT_FOUND",
      message: "webhook endpoint not found",
    });
  });
});

describe("changing an endpoint", () => {
  it("applies the changes at the version asked for, with the events once each", async () => {
    const { service, fake } = serviceWith([stored()]);
    const result = await service.update(
      ADMIN,
      "wh-1",
      { description: "new", events: ["order.created", "order.status_changed", "order.created"] },
      3,
    );
    expect(result).toMatchObject({ version: 4, description: "new", events: ["order.created", "order.status_changed"] });
    expect(fake.endpoints.get("wh-1")).toMatchObject({ version: 4, secret: "sealed:old" });
  });

  it("says who disabled it, and clears the reason and its days of failures when it is enabled again", async () => {
    const { service, fake } = serviceWith([stored({ description: "kept", failingSince: new Date(NOW - 86_400_000) })]);
    expect(await service.update(ADMIN, "wh-1", { disabled: true })).toMatchObject({
      disabled: true,
      disabledReason: "disabled by an admin",
      description: "kept",
    });
    expect(await service.update(ADMIN, "wh-1", { disabled: false })).toMatchObject({
      disabled: false,
      disabledReason: null,
    });
    expect(fake.endpoints.get("wh-1")?.failingSince).toBeNull();
    expect(await service.update(ADMIN, "wh-1", { description: null })).toMatchObject({ description: null });
  });

  it("leaves the reason and the days of failures alone when a change does not enable it", async () => {
    const failingSince = new Date(NOW - 86_400_000);
    const { service, fake } = serviceWith([stored({ failingSince })]);
    await service.update(ADMIN, "wh-1", { disabled: true });
    expect(await service.update(ADMIN, "wh-1", { description: "renamed" })).toMatchObject({
      disabled: true,
      disabledReason: "disabled by an admin",
    });
    expect(fake.endpoints.get("wh-1")?.failingSince).toEqual(failingSince);
  });

  it("checks a new URL by the same rules, and changes nothing when it is refused", async () => {
    const { service, fake } = serviceWith([stored()]);
    expect(await refusal(service.update(ADMIN, "wh-1", { url: "https://10.0.0.1/h" }))).toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect(fake.endpoints.get("wh-1")).toEqual(stored());
  });

  it("answers 404 for an endpoint that is gone and 412 for one at another version", async () => {
    const { service, fake } = serviceWith([stored({ version: 4 })]);
    expect(await refusal(service.update(ADMIN, "wh-2", { disabled: true }, 3))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(service.update(ADMIN, "wh-1", { disabled: true }, 3))).toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    expect(fake.endpoints.get("wh-1")).toMatchObject({ disabled: false, version: 4 });
  });

  it("deletes at the version asked for, with the same refusals", async () => {
    const { service, fake } = serviceWith([stored(), stored({ id: "wh-2" })]);
    expect(await refusal(service.remove(ADMIN, "wh-1", 2))).toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(service.remove(ADMIN, "wh-1", 3)).resolves.toBeUndefined();
    expect(await refusal(service.remove(ADMIN, "wh-1"))).toMatchObject({ code: "NOT_FOUND" });
    await expect(service.remove(ADMIN, "wh-2")).resolves.toBeUndefined();
    expect(fake.endpoints.size).toBe(0);
  });
});

describe("rotating the secret", () => {
  it("seals a new secret, keeps the old one signing for 24 hours, guarded by the version it read", async () => {
    const { service, fake } = serviceWith([stored()]);
    expect(await service.rotateSecret(ADMIN, "wh-1")).toEqual({
      endpoint: expect.objectContaining({ id: "wh-1", version: 4 }),
      secret: "whsec_1",
    });
    expect(fake.endpoints.get("wh-1")).toMatchObject({
      secret: "sealed:whsec_1",
      previousSecrets: [{ secret: "sealed:old", expiresAt: new Date(Math.floor(NOW) + PREVIOUS_SECRET_TTL_MS) }],
    });
    expect(PREVIOUS_SECRET_TTL_MS).toBe(24 * 60 * 60 * 1000);
  });

  it("keeps every secret retired within its 24 hours signing, each until its own expiry", async () => {
    const day = PREVIOUS_SECRET_TTL_MS;
    const { service, fake } = serviceWith([
      stored({
        previousSecrets: [
          { secret: "sealed:s0", expiresAt: new Date(NOW + 1_000) },
          { secret: "sealed:expired", expiresAt: new Date(NOW - 1_000) },
          // Expiring at the very moment of the rotation: it signs no longer.
          { secret: "sealed:expiring", expiresAt: new Date(Math.floor(NOW)) },
        ],
      }),
    ]);
    await service.rotateSecret(ADMIN, "wh-1");
    await service.rotateSecret(ADMIN, "wh-1");
    expect(fake.endpoints.get("wh-1")).toMatchObject({
      secret: "sealed:whsec_2",
      previousSecrets: [
        { secret: "sealed:whsec_1", expiresAt: new Date(Math.floor(NOW) + day) },
        { secret: "sealed:old", expiresAt: new Date(Math.floor(NOW) + day) },
        { secret: "sealed:s0", expiresAt: new Date(NOW + 1_000) },
      ],
    });
  });

  it("keeps at most MAX_PREVIOUS_SECRETS signing, the newest", async () => {
    const { service, fake } = serviceWith([stored()]);
    for (let i = 0; i < MAX_PREVIOUS_SECRETS + 2; i++) await service.rotateSecret(ADMIN, "wh-1");
    const previous = fake.endpoints.get("wh-1")?.previousSecrets.map((p) => p.secret);
    expect(previous).toHaveLength(MAX_PREVIOUS_SECRETS);
    expect(previous?.[0]).toBe(`sealed:whsec_${MAX_PREVIOUS_SECRETS + 1}`);
  });

  it("ends every previous secret at once when the admin says so (a leak)", async () => {
    const { service, fake } = serviceWith([
      stored({ previousSecrets: [{ secret: "sealed:s0", expiresAt: new Date(NOW + 1_000) }] }),
    ]);
    await service.rotateSecret(ADMIN, "wh-1", undefined, true);
    expect(fake.endpoints.get("wh-1")).toMatchObject({ secret: "sealed:whsec_1", previousSecrets: [] });
  });

  it("is guarded by the version the caller gave (If-Match) when there is one", async () => {
    const { service, fake } = serviceWith([stored()]);
    expect(await refusal(service.rotateSecret(ADMIN, "wh-1", 2))).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(fake.endpoints.get("wh-1")).toEqual(stored());
    expect((await service.rotateSecret(ADMIN, "wh-1", 3)).endpoint.version).toBe(4);
  });

  it("answers 404 for an endpoint that does not exist, changing nothing", async () => {
    const { service, asked } = serviceWith();
    expect(await refusal(service.rotateSecret(ADMIN, "wh-1"))).toEqual({
      code: "NOT_FOUND",
      message: "webhook endpoint not found",
    });
    expect(asked).not.toContain("updateEndpoint");
  });
});

describe("an endpoint's deliveries", () => {
  const attempt = (id: string, at: number): DeliveryAttempt => ({
    id,
    endpointId: "wh-1",
    eventId: "evt-1",
    eventType: "order.created",
    attempt: 1,
    outcome: "delivered",
    statusCode: 200,
    error: null,
    durationMs: 12,
    attemptedAt: new Date(at),
    nextAttemptAt: null,
  });

  it("pages them by the time of the attempt, without looking the endpoint up", async () => {
    const { service, fake, asked } = serviceWith([stored()]);
    const rows = [attempt("a", NOW), attempt("b", NOW - 1), attempt("c", NOW - 2)];
    fake.attempts.push(...rows);
    const page = await service.deliveries(ADMIN, "wh-1", { limit: 2 });
    expect(page).toEqual({ items: rows.slice(0, 2), next: { createdAt: new Date(NOW - 1), id: "b" } });
    expect(asked).toEqual(["listAttempts"]);
  });

  it("asks storage for the outcome and the event filtered on", async () => {
    const { service, fake } = serviceWith([stored()]);
    const failed = { ...attempt("f", NOW - 1), outcome: "failed" as const, statusCode: 500 };
    const other = { ...attempt("o", NOW - 2), eventId: "evt-2" };
    fake.attempts.push(attempt("a", NOW), failed, other);
    expect((await service.deliveries(ADMIN, "wh-1", { limit: 10, outcome: "failed" })).items).toEqual([failed]);
    expect((await service.deliveries(ADMIN, "wh-1", { limit: 10, eventId: "evt-2" })).items).toEqual([other]);
  });

  it("tells an endpoint with no deliveries yet (an empty page) from one that does not exist (404)", async () => {
    const { service } = serviceWith([stored()]);
    expect(await service.deliveries(ADMIN, "wh-1", { limit: 2 })).toEqual({ items: [], next: null });
    expect(await refusal(service.deliveries(ADMIN, "wh-2", { limit: 2 }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("does not look the endpoint up again for a later page that came back empty", async () => {
    const { service, asked } = serviceWith();
    const after = { createdAt: new Date(NOW), id: "a" };
    expect(await service.deliveries(ADMIN, "wh-1", { limit: 2, after })).toEqual({ items: [], next: null });
    expect(asked).toEqual(["listAttempts"]);
  });
});
