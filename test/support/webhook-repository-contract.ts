import { beforeAll, describe, expect, it } from "vitest";
import type { DeliveryAttempt } from "../../src/domain/webhook-endpoint";
import type { StoredEndpoint, WebhookRepository } from "../../src/services/webhook-repository";

let clock = Date.parse("2026-01-01T00:00:00.000Z");

/** An endpoint as the service stores it, a second after the previous one unless told otherwise. */
export function storedEndpoint(overrides: Partial<StoredEndpoint> = {}): StoredEndpoint {
  clock += 1000;
  return {
    id: crypto.randomUUID(),
    url: "https://receiver.example/hooks",
    description: null,
    events: ["order.created"],
    disabled: false,
    disabledReason: null,
    version: 1,
    createdAt: new Date(clock),
    updatedAt: new Date(clock),
    secret: "sealed:current",
    previousSecrets: [],
    failingSince: null,
    slowSince: null,
    ...overrides,
  };
}

/** An attempt at a delivery, `seconds` after the endpoints' clock. */
export function attemptOf(endpointId: string, eventId: string, seconds: number): DeliveryAttempt {
  return {
    id: crypto.randomUUID(),
    endpointId,
    eventId,
    eventType: "order.created",
    attempt: 1,
    outcome: "retrying",
    statusCode: 500,
    error: null,
    durationMs: 12,
    attemptedAt: new Date(clock + seconds * 1000),
    nextAttemptAt: new Date(clock + (seconds + 5) * 1000),
  };
}

const { secret: _s, previousSecrets: _p, failingSince: _f, ...publicPart } = storedEndpoint();
type PublicEndpoint = typeof publicPart;
const withoutSecrets = ({ secret: _, previousSecrets: __, failingSince: ___, ...rest }: StoredEndpoint) =>
  rest as PublicEndpoint;

export interface WebhookStore {
  repository: WebhookRepository;
  /** An event stored where attempts may name it (the Postgres store's attempts reference order_events). */
  storedEvent(): Promise<string>;
}

/**
 * What every WebhookRepository does, whatever stores it: run against the in-memory fake the service tests
 * use and against the Postgres repository (PGlite and PostgreSQL), so the fake cannot drift.
 */
export function webhookRepositoryContract(name: string, fresh: () => Promise<WebhookStore>) {
  describe(`WebhookRepository contract: ${name}`, () => {
    let repo: WebhookRepository;
    let storedEvent: () => Promise<string>;
    beforeAll(async () => {
      ({ repository: repo, storedEvent } = await fresh());
    });

    it("stores an endpoint with its sealed secrets, and lists endpoints newest first without them, a page at a time", async () => {
      const [older, newer] = [storedEndpoint(), storedEndpoint({ description: "second" })];
      await repo.createEndpoint(older);
      await repo.createEndpoint(newer);
      expect(await repo.findEndpoint(older.id)).toEqual(older);
      expect(await repo.findEndpoint(crypto.randomUUID())).toBeNull();
      const page = await repo.listEndpoints({ limit: 1000 });
      const ours = page.filter((e) => e.id === older.id || e.id === newer.id);
      expect(ours).toEqual([withoutSecrets(newer), withoutSecrets(older)]);
      const after = { createdAt: newer.createdAt, id: newer.id };
      expect((await repo.listEndpoints({ limit: 1000, after })).map((e) => e.id)).toContain(older.id);
      expect((await repo.listEndpoints({ limit: 1000, after })).map((e) => e.id)).not.toContain(newer.id);
    });

    it("changes an endpoint, bumping its version, only at the version given", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const changed = await repo.updateEndpoint(endpoint.id, { url: "https://other.example/h" }, 1);
      expect(changed.updated).toMatchObject({ url: "https://other.example/h", version: 2 });
      expect(changed.current).toEqual(changed.updated);
      const stale = await repo.updateEndpoint(endpoint.id, { description: "late" }, 1);
      expect(stale).toEqual({ updated: null, current: changed.updated });
      expect(
        (await repo.updateEndpoint(endpoint.id, { disabled: true, disabledReason: "admin" })).updated,
      ).toMatchObject({ disabled: true, disabledReason: "admin", version: 3 });
      expect(await repo.updateEndpoint(crypto.randomUUID(), { description: "none" })).toEqual({
        updated: null,
        current: null,
      });
    });

    it("deletes an endpoint only at the version given, with its attempts", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      await repo.recordAttempt(attemptOf(endpoint.id, await storedEvent(), 1));
      const stale = await repo.deleteEndpoint(endpoint.id, 7);
      expect(stale).toEqual({ updated: null, current: withoutSecrets(endpoint) });
      expect(await repo.deleteEndpoint(endpoint.id, 1)).toEqual({
        updated: withoutSecrets(endpoint),
        current: withoutSecrets(endpoint),
      });
      expect(await repo.findEndpoint(endpoint.id)).toBeNull();
      expect(await repo.listAttempts(endpoint.id, { limit: 10 })).toEqual([]);
      expect(await repo.deleteEndpoint(endpoint.id)).toEqual({ updated: null, current: null });
    });

    it("names the enabled endpoints that take a type of event and existed when it happened", async () => {
      const takes = storedEndpoint({ events: ["order.created", "order.status_changed"] });
      const other = storedEndpoint({ events: ["order.created"] });
      const off = storedEndpoint({ events: ["order.status_changed"], disabled: true, disabledReason: "admin" });
      const happenedAt = new Date(clock);
      const later = storedEndpoint({ events: ["order.status_changed"] });
      for (const e of [takes, other, off, later]) await repo.createEndpoint(e);
      const subscribed = await repo.subscribedEndpoints("order.status_changed", happenedAt);
      expect(subscribed).toContain(takes.id);
      expect(subscribed).not.toContain(other.id);
      expect(subscribed).not.toContain(off.id);
      expect(subscribed).not.toContain(later.id);
      expect(await repo.subscribedEndpoints("order.status_changed", later.createdAt)).toContain(later.id);
    });

    it("records attempts and lists an endpoint's newest first, a page at a time", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const event = await storedEvent();
      const [first, second] = [attemptOf(endpoint.id, event, 1), attemptOf(endpoint.id, event, 2)];
      await repo.recordAttempt(first);
      await repo.recordAttempt(second);
      // The second is the event's newest attempt there: the first has no next attempt due any more.
      const superseded = { ...first, nextAttemptAt: null };
      expect(await repo.listAttempts(endpoint.id, { limit: 10 })).toEqual([second, superseded]);
      const after = { createdAt: second.attemptedAt, id: second.id };
      expect(await repo.listAttempts(endpoint.id, { limit: 10, after })).toEqual([superseded]);
    });

    it("lists only an endpoint's attempts with an outcome, or of an event, when asked", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const [event, other] = [await storedEvent(), await storedEvent()];
      const failed = { ...attemptOf(endpoint.id, event, 1), outcome: "failed" as const };
      const delivered = { ...attemptOf(endpoint.id, other, 2), outcome: "delivered" as const };
      const retrying = attemptOf(endpoint.id, event, 3);
      for (const a of [failed, delivered, retrying]) await repo.recordAttempt(a);
      expect(await repo.listAttempts(endpoint.id, { limit: 10, outcome: "delivered" })).toEqual([delivered]);
      const superseded = { ...failed, nextAttemptAt: null };
      expect(await repo.listAttempts(endpoint.id, { limit: 10, eventId: event })).toEqual([retrying, superseded]);
      expect(await repo.listAttempts(endpoint.id, { limit: 10, eventId: event, outcome: "failed" })).toEqual([
        superseded,
      ]);
      expect(await repo.listAttempts(endpoint.id, { limit: 10, outcome: "disabled" })).toEqual([]);
    });

    it("keeps a next attempt due on an event's newest attempt at an endpoint only, and counts no skip as a failure", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const [event, other] = [await storedEvent(), await storedEvent()];
      const first = attemptOf(endpoint.id, event, 1);
      const elsewhere = attemptOf(endpoint.id, other, 2);
      await repo.recordAttempt(first);
      await repo.recordAttempt(elsewhere);
      const skipped = { ...attemptOf(endpoint.id, event, 3), outcome: "skipped" as const, nextAttemptAt: null };
      await repo.recordAttempt(skipped);
      expect(await repo.listAttempts(endpoint.id, { limit: 10 })).toEqual([
        skipped,
        elsewhere,
        { ...first, nextAttemptAt: null },
      ]);
      const quiet = storedEndpoint();
      await repo.createEndpoint(quiet);
      await repo.recordAttempt({ ...attemptOf(quiet.id, event, 4), outcome: "skipped", nextAttemptAt: null });
      expect((await repo.findEndpoint(quiet.id))?.failingSince).toBeNull();
    });

    it("moves an endpoint to the slow lane and back, its version and public fields untouched", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const since = new Date(clock + 7_000);
      await repo.markSlow(endpoint.id, since);
      const slow = await repo.findEndpoint(endpoint.id);
      expect(slow?.slowSince).toEqual(since);
      expect(slow && withoutSecrets(slow)).toEqual({ ...withoutSecrets(endpoint), slowSince: since });
      await repo.markSlow(endpoint.id, new Date(clock + 9_000));
      expect((await repo.findEndpoint(endpoint.id))?.slowSince).toEqual(since);
      await repo.markSlow(endpoint.id, null);
      expect((await repo.findEndpoint(endpoint.id))?.slowSince).toBeNull();
      await repo.markSlow(crypto.randomUUID(), since);
    });

    it("knows an event's newest attempt at an endpoint, its outcome and when the next is due", async () => {
      const [one, two] = [storedEndpoint(), storedEndpoint()];
      for (const e of [one, two]) await repo.createEndpoint(e);
      const [event, other] = [await storedEvent(), await storedEvent()];
      const first = attemptOf(one.id, event, 1);
      await repo.recordAttempt(first);
      expect(await repo.lastAttempt(event, one.id)).toEqual({
        attempt: 1,
        outcome: "retrying",
        nextAttemptAt: first.nextAttemptAt,
      });
      await repo.recordAttempt({
        ...attemptOf(one.id, event, 9),
        attempt: 2,
        outcome: "delivered",
        nextAttemptAt: null,
      });
      await repo.recordAttempt({ ...attemptOf(one.id, other, 10), attempt: 7 });
      expect(await repo.lastAttempt(event, one.id)).toEqual({ attempt: 2, outcome: "delivered", nextAttemptAt: null });
      expect(await repo.lastAttempt(event, two.id)).toBeNull();
    });

    it("knows the attempts made for an event, by endpoint", async () => {
      const [one, two] = [storedEndpoint(), storedEndpoint()];
      for (const e of [one, two]) await repo.createEndpoint(e);
      const [event, other] = [await storedEvent(), await storedEvent()];
      await repo.recordAttempt(attemptOf(one.id, event, 1));
      await repo.recordAttempt({ ...attemptOf(one.id, event, 2), attempt: 3 });
      await repo.recordAttempt({ ...attemptOf(two.id, event, 3), attempt: 2 });
      await repo.recordAttempt({ ...attemptOf(two.id, other, 4), attempt: 9 });
      expect(await repo.attemptsMade(event)).toEqual(
        new Map([
          [one.id, 3],
          [two.id, 2],
        ]),
      );
      expect(await repo.attemptsMade(crypto.randomUUID())).toEqual(new Map());
    });

    it("disables the endpoint with the attempt that says so, once", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const event = await storedEvent();
      await repo.recordAttempt({ ...attemptOf(endpoint.id, event, 1), outcome: "disabled" }, { reason: "410 Gone" });
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({
        disabled: true,
        disabledReason: "410 Gone",
        version: 2,
      });
      await repo.recordAttempt({ ...attemptOf(endpoint.id, event, 2), outcome: "disabled" }, { reason: "again" });
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({ disabledReason: "410 Gone", version: 2 });
      expect(await repo.listAttempts(endpoint.id, { limit: 10 })).toHaveLength(2);
    });

    it("knows since when an endpoint has failed: from its first failed attempt until one is delivered, or until enabled again", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const event = await storedEvent();
      const [first, second] = [attemptOf(endpoint.id, event, 1), attemptOf(endpoint.id, event, 2)];
      await repo.recordAttempt(first);
      await repo.recordAttempt({ ...second, outcome: "failed" });
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({ failingSince: first.attemptedAt, version: 1 });
      await repo.recordAttempt({ ...attemptOf(endpoint.id, event, 3), outcome: "delivered", statusCode: 200 });
      expect((await repo.findEndpoint(endpoint.id))?.failingSince).toBeNull();
      const again = attemptOf(endpoint.id, event, 4);
      await repo.recordAttempt({ ...again, outcome: "disabled" }, { reason: "failing" });
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({ failingSince: again.attemptedAt, disabled: true });
      await repo.updateEndpoint(endpoint.id, { disabled: false, disabledReason: null, failingSince: null });
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({ failingSince: null, disabled: false });
    });

    it("re-seals an endpoint's secrets without a new version", async () => {
      const [newer, older] = [new Date(clock + 2_000), new Date(clock + 1_000)];
      const endpoint = storedEndpoint({
        previousSecrets: [
          { secret: "sealed:newer", expiresAt: newer },
          { secret: "sealed:older", expiresAt: older },
        ],
      });
      await repo.createEndpoint(endpoint);
      expect(await repo.findEndpoint(endpoint.id)).toEqual(endpoint);
      const resealed = [
        { secret: "resealed:newer", expiresAt: newer },
        { secret: "resealed:older", expiresAt: older },
      ];
      await repo.resealSecrets(endpoint.id, { secret: "resealed:current", previousSecrets: resealed });
      expect(await repo.findEndpoint(endpoint.id)).toEqual({
        ...endpoint,
        secret: "resealed:current",
        previousSecrets: resealed,
      });
    });

    it("changes the list of previous secrets with a rotation, and empties it", async () => {
      const endpoint = storedEndpoint();
      await repo.createEndpoint(endpoint);
      const retired = [{ secret: "sealed:current", expiresAt: new Date(clock + 86_400_000) }];
      await repo.updateEndpoint(endpoint.id, { secret: "sealed:next", previousSecrets: retired }, 1);
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({
        secret: "sealed:next",
        previousSecrets: retired,
        version: 2,
      });
      await repo.updateEndpoint(endpoint.id, { secret: "sealed:third", previousSecrets: [] }, 2);
      expect(await repo.findEndpoint(endpoint.id)).toMatchObject({ secret: "sealed:third", previousSecrets: [] });
    });
  });
}
