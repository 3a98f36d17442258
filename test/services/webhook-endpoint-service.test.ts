import { describe, expect, it, vi } from "vitest";
import type { Caller } from "../../src/domain/caller";
import type { DeliveryAttempt, WebhookEndpoint } from "../../src/domain/webhook-endpoint";
import {
  createWebhookEndpointService,
  PREVIOUS_SECRET_TTL_MS,
  type SigningSecrets,
} from "../../src/services/webhook-endpoint-service";
import type { EndpointChangeResult, StoredEndpoint, WebhookRepository } from "../../src/services/webhook-repository";

const NOW = Date.parse("2026-12-02T10:00:00.750Z");
const ADMIN: Caller = { id: "admin-1", role: "admin" };
const CUSTOMER: Caller = { id: "customer-1", role: "customer" };

const endpoint = (over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: "wh-1",
  url: "https://receiver.example.com/hooks",
  description: null,
  events: ["order.created"],
  disabled: false,
  disabledReason: null,
  version: 3,
  createdAt: new Date(NOW - 60_000),
  updatedAt: new Date(NOW - 60_000),
  ...over,
});
const stored = (over: Partial<StoredEndpoint> = {}): StoredEndpoint => ({
  ...endpoint(),
  secret: "sealed:old",
  previousSecret: null,
  previousSecretExpiresAt: null,
  ...over,
});

/** The service over a repository whose every method is a mock answering as told. */
function serviceWith(repo: Partial<WebhookRepository> = {}, { allowLocalReceivers = false } = {}) {
  const repository = {
    createEndpoint: vi.fn(async () => {}),
    listEndpoints: vi.fn(async () => []),
    findEndpoint: vi.fn(async () => null),
    updateEndpoint: vi.fn(async () => ({ updated: null, current: null })),
    deleteEndpoint: vi.fn(async () => ({ updated: null, current: null })),
    listAttempts: vi.fn(async () => []),
    ...repo,
  } as unknown as { [K in keyof WebhookRepository]: ReturnType<typeof vi.fn> & WebhookRepository[K] };
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
  return { service, repository };
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
    const { service, repository } = serviceWith();
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
    for (const method of Object.values(repository)) expect(method).not.toHaveBeenCalled();
  });
});

describe("creating an endpoint", () => {
  it("stores it with its secret sealed, and shows the secret in clear this once", async () => {
    const { service, repository } = serviceWith();
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
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    expect(created).toEqual({ endpoint: expected, secret: "whsec_1" });
    expect(repository.createEndpoint).toHaveBeenCalledWith({
      ...expected,
      secret: "sealed:whsec_1",
      previousSecret: null,
      previousSecretExpiresAt: null,
    });
  });

  it("gives a new endpoint a random UUID by default", async () => {
    const service = createWebhookEndpointService({
      repository: { createEndpoint: async () => {} } as unknown as WebhookRepository,
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
    const { service, repository } = serviceWith();
    const answer = await refusal(service.create(ADMIN, { url: "http://127.0.0.1:9/h", events: ["order.created"] }));
    expect(answer).toEqual({
      code: "VALIDATION_ERROR",
      message: "the request is invalid",
      fields: [{ path: "url", message: expect.stringMatching(/./) }],
    });
    expect(repository.createEndpoint).not.toHaveBeenCalled();
  });

  it("takes a receiver on this machine when local receivers are allowed (development and tests)", async () => {
    const { service } = serviceWith({}, { allowLocalReceivers: true });
    const { endpoint: created } = await service.create(ADMIN, {
      url: "http://127.0.0.1:9/h",
      events: ["order.created"],
    });
    expect(created.url).toBe("http://127.0.0.1:9/h");
  });
});

describe("reading endpoints", () => {
  it("lists a page, asking for one row more to know whether another page exists", async () => {
    const rows = [endpoint({ id: "a" }), endpoint({ id: "b" }), endpoint({ id: "c" })];
    const { service, repository } = serviceWith({ listEndpoints: vi.fn(async () => rows) });
    const after = { createdAt: new Date(NOW), id: "z" };
    const page = await service.list(ADMIN, { limit: 2, after });
    expect(repository.listEndpoints).toHaveBeenCalledWith({ limit: 3, after });
    expect(page).toEqual({ items: rows.slice(0, 2), next: { createdAt: rows[1]?.createdAt, id: "b" } });
  });

  it("gets one without its secrets, or 404", async () => {
    const { service } = serviceWith({
      findEndpoint: vi.fn(async (id: string) =>
        id === "wh-1" ? stored({ previousSecret: "sealed:prev", previousSecretExpiresAt: new Date(NOW) }) : null,
      ),
    });
    expect(await service.get(ADMIN, "wh-1")).toEqual(endpoint());
    expect(await refusal(service.get(ADMIN, "wh-2"))).toEqual({
      code: "NOT_FOUND",
      message: "webhook endpoint not found",
    });
  });
});

describe("changing an endpoint", () => {
  const applied = (result: EndpointChangeResult) => vi.fn(async () => result);

  it("applies the changes at the version asked for, with the events once each", async () => {
    const updated = endpoint({ version: 4, description: "new" });
    const { service, repository } = serviceWith({ updateEndpoint: applied({ updated, current: updated }) });
    const result = await service.update(
      ADMIN,
      "wh-1",
      { description: "new", events: ["order.created", "order.created"] },
      3,
    );
    expect(result).toBe(updated);
    expect(repository.updateEndpoint).toHaveBeenCalledWith(
      "wh-1",
      { description: "new", events: ["order.created"] },
      3,
    );
  });

  it("says who disabled it, and clears the reason when it is enabled again", async () => {
    const updated = endpoint();
    const { service, repository } = serviceWith({ updateEndpoint: applied({ updated, current: updated }) });
    await service.update(ADMIN, "wh-1", { disabled: true });
    await service.update(ADMIN, "wh-1", { disabled: false });
    await service.update(ADMIN, "wh-1", { description: null });
    expect(repository.updateEndpoint.mock.calls.map(([, changes]) => changes)).toEqual([
      { disabled: true, disabledReason: "disabled by an admin" },
      { disabled: false, disabledReason: null },
      { description: null },
    ]);
  });

  it("checks a new URL by the same rules, and changes nothing when it is refused", async () => {
    const { service, repository } = serviceWith();
    expect(await refusal(service.update(ADMIN, "wh-1", { url: "https://10.0.0.1/h" }))).toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect(repository.updateEndpoint).not.toHaveBeenCalled();
  });

  it("answers 404 for an endpoint that is gone and 412 for one at another version", async () => {
    const gone = serviceWith({ updateEndpoint: applied({ updated: null, current: null }) });
    expect(await refusal(gone.service.update(ADMIN, "wh-1", { disabled: true }, 3))).toMatchObject({
      code: "NOT_FOUND",
    });
    const moved = serviceWith({ updateEndpoint: applied({ updated: null, current: endpoint({ version: 4 }) }) });
    expect(await refusal(moved.service.update(ADMIN, "wh-1", { disabled: true }, 3))).toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });

  it("deletes at the version asked for, with the same refusals", async () => {
    const ok = serviceWith({ deleteEndpoint: applied({ updated: endpoint(), current: endpoint() }) });
    await expect(ok.service.remove(ADMIN, "wh-1", 3)).resolves.toBeUndefined();
    expect(ok.repository.deleteEndpoint).toHaveBeenCalledWith("wh-1", 3);
    const gone = serviceWith({ deleteEndpoint: applied({ updated: null, current: null }) });
    expect(await refusal(gone.service.remove(ADMIN, "wh-1"))).toMatchObject({ code: "NOT_FOUND" });
    const moved = serviceWith({ deleteEndpoint: applied({ updated: null, current: endpoint() }) });
    expect(await refusal(moved.service.remove(ADMIN, "wh-1", 2))).toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});

describe("rotating the secret", () => {
  it("seals a new secret, keeps the old one signing for 24 hours, guarded by the version it read", async () => {
    const rotated = endpoint({ version: 4 });
    const { service, repository } = serviceWith({
      findEndpoint: vi.fn(async () => stored()),
      updateEndpoint: vi.fn(async () => ({ updated: rotated, current: rotated })),
    });
    expect(await service.rotateSecret(ADMIN, "wh-1")).toEqual({ endpoint: rotated, secret: "whsec_1" });
    expect(repository.updateEndpoint).toHaveBeenCalledWith(
      "wh-1",
      {
        secret: "sealed:whsec_1",
        previousSecret: "sealed:old",
        previousSecretExpiresAt: new Date(Math.floor(NOW) + PREVIOUS_SECRET_TTL_MS),
      },
      3,
    );
    expect(PREVIOUS_SECRET_TTL_MS).toBe(24 * 60 * 60 * 1000);
  });

  it("is guarded by the version the caller gave (If-Match) when there is one", async () => {
    const { service, repository } = serviceWith({
      findEndpoint: vi.fn(async () => stored()),
      updateEndpoint: vi.fn(async () => ({ updated: null, current: endpoint() })),
    });
    expect(await refusal(service.rotateSecret(ADMIN, "wh-1", 2))).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(repository.updateEndpoint.mock.calls[0]?.[2]).toBe(2);
  });

  it("answers 404 for an endpoint that does not exist, changing nothing", async () => {
    const { service, repository } = serviceWith();
    expect(await refusal(service.rotateSecret(ADMIN, "wh-1"))).toEqual({
      code: "NOT_FOUND",
      message: "webhook endpoint not found",
    });
    expect(repository.updateEndpoint).not.toHaveBeenCalled();
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

  it("pages them by the time of the attempt", async () => {
    const rows = [attempt("a", NOW), attempt("b", NOW - 1), attempt("c", NOW - 2)];
    const { service, repository } = serviceWith({ listAttempts: vi.fn(async () => rows) });
    const page = await service.deliveries(ADMIN, "wh-1", { limit: 2 });
    expect(repository.listAttempts).toHaveBeenCalledWith("wh-1", { limit: 3, after: undefined });
    expect(page).toEqual({ items: rows.slice(0, 2), next: { createdAt: new Date(NOW - 1), id: "b" } });
    expect(repository.findEndpoint).not.toHaveBeenCalled();
  });

  it("tells an endpoint with no deliveries yet (an empty page) from one that does not exist (404)", async () => {
    const exists = serviceWith({ findEndpoint: vi.fn(async () => stored()) });
    expect(await exists.service.deliveries(ADMIN, "wh-1", { limit: 2 })).toEqual({ items: [], next: null });
    const missing = serviceWith();
    expect(await refusal(missing.service.deliveries(ADMIN, "wh-1", { limit: 2 }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("does not look the endpoint up again for a later page that came back empty", async () => {
    const { service, repository } = serviceWith();
    const after = { createdAt: new Date(NOW), id: "a" };
    expect(await service.deliveries(ADMIN, "wh-1", { limit: 2, after })).toEqual({ items: [], next: null });
    expect(repository.findEndpoint).not.toHaveBeenCalled();
  });
});
