import type { DeliveryAttempt, WebhookEndpoint } from "../../src/domain/webhook-endpoint";
import type { EndpointChangeResult, StoredEndpoint, WebhookRepository } from "../../src/services/webhook-repository";
import { newestFirst, olderThan } from "./fake-keyset";

const publicOf = ({ secret: _, previousSecrets: __, failingSince: ___, ...endpoint }: StoredEndpoint) =>
  structuredClone(endpoint) as WebhookEndpoint;

/** An in-memory WebhookRepository with the real one's semantics (test/support/webhook-repository-contract.ts). */
export function fakeWebhookRepository() {
  const endpoints = new Map<string, StoredEndpoint>();
  const attempts: DeliveryAttempt[] = [];
  const outcome = (touched: boolean, now: StoredEndpoint | undefined): EndpointChangeResult => {
    const current = now ? publicOf(now) : null;
    return { updated: touched ? current : null, current };
  };
  const bump = (endpoint: StoredEndpoint, changes: Partial<StoredEndpoint>) => {
    const next = { ...endpoint, ...changes, version: endpoint.version + 1, updatedAt: new Date() };
    endpoints.set(endpoint.id, next);
    return next;
  };
  const at = (version: number | undefined, endpoint: StoredEndpoint | undefined) =>
    endpoint !== undefined && (version === undefined || endpoint.version === version);

  const repository: WebhookRepository = {
    async createEndpoint(endpoint) {
      endpoints.set(endpoint.id, structuredClone(endpoint));
    },
    async listEndpoints({ limit, after }) {
      const at = (e: StoredEndpoint) => e.createdAt;
      return [...endpoints.values()].filter(olderThan(at, after)).sort(newestFirst(at)).slice(0, limit).map(publicOf);
    },
    async findEndpoint(id) {
      const endpoint = endpoints.get(id);
      return endpoint ? structuredClone(endpoint) : null;
    },
    async updateEndpoint(id, changes, expectedVersion) {
      const endpoint = endpoints.get(id);
      if (!endpoint || !at(expectedVersion, endpoint)) return outcome(false, endpoint);
      return outcome(true, bump(endpoint, changes));
    },
    async deleteEndpoint(id, expectedVersion) {
      const endpoint = endpoints.get(id);
      const touched = at(expectedVersion, endpoint);
      if (touched) {
        endpoints.delete(id);
        for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i]?.endpointId === id) attempts.splice(i, 1);
      }
      return outcome(touched, endpoint);
    },
    async subscribedEndpoints(type, happenedAt) {
      return [...endpoints.values()]
        .filter((e) => !e.disabled && e.events.includes(type) && e.createdAt.getTime() <= happenedAt.getTime())
        .map((e) => e.id);
    },
    async recordAttempt(attempt, disable) {
      // Only the newest attempt of an event at an endpoint can have a next one due.
      for (const a of attempts) {
        if (a.endpointId === attempt.endpointId && a.eventId !== null && a.eventId === attempt.eventId) {
          a.nextAttemptAt = null;
        }
      }
      attempts.push(structuredClone(attempt));
      const endpoint = endpoints.get(attempt.endpointId);
      if (!endpoint) return;
      // A delivered attempt ends a run of failures; the first failed one after it starts one (a skip is neither).
      const failingSince =
        attempt.outcome === "delivered"
          ? null
          : attempt.outcome === "skipped"
            ? endpoint.failingSince
            : (endpoint.failingSince ?? attempt.attemptedAt);
      endpoints.set(endpoint.id, { ...endpoint, failingSince });
      if (disable && !endpoint.disabled) {
        bump({ ...endpoint, failingSince }, { disabled: true, disabledReason: disable.reason });
      }
    },
    async markSlow(id, since) {
      const endpoint = endpoints.get(id);
      // Entering keeps the first time it entered; leaving clears it.
      if (endpoint) endpoints.set(id, { ...endpoint, slowSince: since && (endpoint.slowSince ?? since) });
    },
    async listAttempts(endpointId, { limit, after, outcome, eventId }) {
      const at = (a: DeliveryAttempt) => a.attemptedAt;
      return attempts
        .filter((a) => a.endpointId === endpointId)
        .filter(
          (a) => (outcome === undefined || a.outcome === outcome) && (eventId === undefined || a.eventId === eventId),
        )
        .filter(olderThan(at, after))
        .sort(newestFirst(at))
        .slice(0, limit)
        .map((a) => structuredClone(a));
    },
    async attemptsMade(eventId) {
      const made = new Map<string, number>();
      for (const a of attempts.filter((x) => x.eventId === eventId)) {
        made.set(a.endpointId, Math.max(made.get(a.endpointId) ?? 0, a.attempt));
      }
      return made;
    },
    async lastAttempt(eventId, endpointId) {
      const newest = attempts
        .filter((a) => a.eventId === eventId && a.endpointId === endpointId)
        .reduce<DeliveryAttempt | null>((top, a) => (top && top.attempt >= a.attempt ? top : a), null);
      return newest
        ? {
            attempt: newest.attempt,
            outcome: newest.outcome,
            nextAttemptAt: newest.nextAttemptAt && new Date(newest.nextAttemptAt),
          }
        : null;
    },
    async resealSecrets(id, sealed) {
      const endpoint = endpoints.get(id);
      if (endpoint) endpoints.set(id, { ...endpoint, ...sealed });
    },
  };
  return { repository, endpoints, attempts };
}
