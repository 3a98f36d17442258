import { type DeliveryAttempt, TEST_EVENT_TYPE, type WebhookEndpoint } from "../domain/webhook-endpoint";
import type { Recovery } from "../services/endpoint-recovery";
import type { TestEvent } from "../services/webhook-dispatcher";

/** The API's WebhookEndpoint representation: never its secret. */
export function endpointJson(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.events,
    disabled: endpoint.disabled,
    disabled_reason: endpoint.disabledReason,
    slow_since: endpoint.slowSince?.toISOString() ?? null,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

export type EndpointJson = ReturnType<typeof endpointJson>;

export function attemptJson(attempt: DeliveryAttempt) {
  return {
    id: attempt.id,
    event_id: attempt.eventId,
    event_type: attempt.eventType,
    attempt: attempt.attempt,
    outcome: attempt.outcome,
    status_code: attempt.statusCode,
    error: attempt.error,
    duration_ms: attempt.durationMs,
    attempted_at: attempt.attemptedAt.toISOString(),
    next_attempt_at: attempt.nextAttemptAt?.toISOString() ?? null,
  };
}

export type AttemptJson = ReturnType<typeof attemptJson>;

/**
 * The `webhook.test` event a test send delivers, shaped as every event (`id`, `type`, `timestamp`,
 * `data`): receivers verify and route it like the others, and may ignore it.
 */
export function testEventJson(test: TestEvent) {
  return {
    id: test.id,
    type: TEST_EVENT_TYPE,
    timestamp: test.at.toISOString(),
    data: { endpoint_id: test.endpointId },
  };
}

export type TestEventJson = ReturnType<typeof testEventJson>;

/** What a recovery queued for an endpoint, and whether more remain. */
export function recoveryJson(endpointId: string, since: Date, { eventIds, more }: Recovery) {
  return { endpoint_id: endpointId, since: since.toISOString(), event_ids: eventIds, more };
}

export type RecoveryJson = ReturnType<typeof recoveryJson>;
