import type { OrderEventType } from "../domain/order-event";
import type { DeliveryAttempt, WebhookEndpoint } from "../domain/webhook-endpoint";
import type { ListPosition } from "./keyset-page";

/** What webhook endpoints and deliveries need from storage. Owned here, implemented in src/repositories. */

/** A secret an endpoint rotated away from, sealed, signing until it expires. */
export interface PreviousSecret {
  secret: string;
  expiresAt: Date;
}

/** An endpoint with its signing secrets, sealed (the repository never sees them in clear). */
export interface StoredEndpoint extends WebhookEndpoint {
  secret: string;
  /** The secrets before it, newest first, each honoured until it expires. */
  previousSecrets: PreviousSecret[];
  /** When its first failed attempt since its last delivered one (or since it was enabled) was made. */
  failingSince: Date | null;
}

export type EndpointChanges = Partial<
  Pick<
    StoredEndpoint,
    "url" | "events" | "description" | "disabled" | "disabledReason" | "secret" | "previousSecrets" | "failingSince"
  >
>;

export interface EndpointChangeResult {
  /** The endpoint after the change, or null when the guard (its version) did not hold. */
  updated: WebhookEndpoint | null;
  /** As it is now; null when it does not exist. */
  current: WebhookEndpoint | null;
}

export interface PageQuery {
  limit: number;
  after?: ListPosition;
}

/** A page of an endpoint's attempts, only those with this outcome or of this event when given. */
export interface AttemptQuery extends PageQuery {
  outcome?: DeliveryAttempt["outcome"];
  eventId?: string;
}

/** What the dispatcher needs of an event's newest attempt at an endpoint. */
export type LastAttempt = Pick<DeliveryAttempt, "attempt" | "outcome" | "nextAttemptAt">;

export interface WebhookRepository {
  createEndpoint(endpoint: StoredEndpoint): Promise<void>;
  /** Newest first. */
  listEndpoints(query: PageQuery): Promise<WebhookEndpoint[]>;
  findEndpoint(id: string): Promise<StoredEndpoint | null>;
  /** Applies the changes and bumps the version, only at `expectedVersion` when given. */
  updateEndpoint(id: string, changes: EndpointChanges, expectedVersion?: number): Promise<EndpointChangeResult>;
  /** Deletes it (with its attempts), only at `expectedVersion` when given. */
  deleteEndpoint(id: string, expectedVersion?: number): Promise<EndpointChangeResult>;
  /**
   * Ids of the enabled endpoints that receive this type of event and existed when it happened (created at
   * or before `happenedAt`): an endpoint receives the events from its creation on.
   */
  subscribedEndpoints(type: OrderEventType, happenedAt: Date): Promise<string[]>;
  /**
   * Records the attempt and, in the same round trip, when the endpoint started failing (cleared by a
   * delivered attempt, set by the first failed one after it); `disable` also disables the endpoint.
   */
  recordAttempt(attempt: DeliveryAttempt, disable?: { reason: string }): Promise<void>;
  /** Moves the endpoint to the slow lane since `since`, or back to the fast lane (null); a no-op if it is there. */
  markSlow(id: string, since: Date | null): Promise<void>;
  /** An endpoint's attempts, newest first. */
  listAttempts(endpointId: string, query: AttemptQuery): Promise<DeliveryAttempt[]>;
  /** The highest attempt number recorded for this event, by endpoint (endpoints with none are absent). */
  attemptsMade(eventId: string): Promise<Map<string, number>>;
  /** The highest-numbered attempt recorded for this event at this endpoint; null when there is none. */
  lastAttempt(eventId: string, endpointId: string): Promise<LastAttempt | null>;
  /** Re-seals secrets opened with a retired encryption key. */
  resealSecrets(id: string, sealed: { secret: string; previousSecrets: PreviousSecret[] }): Promise<void>;
}
