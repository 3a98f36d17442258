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
}

export type EndpointChanges = Partial<
  Pick<StoredEndpoint, "url" | "events" | "description" | "disabled" | "disabledReason" | "secret" | "previousSecrets">
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
  /** Records the attempt; a 410 also disables the endpoint, in the same round trip. */
  recordAttempt(attempt: DeliveryAttempt, disable?: { reason: string }): Promise<void>;
  /** An endpoint's attempts, newest first. */
  listAttempts(endpointId: string, query: PageQuery): Promise<DeliveryAttempt[]>;
  /** The highest attempt number recorded for this event, by endpoint (endpoints with none are absent). */
  attemptsMade(eventId: string): Promise<Map<string, number>>;
  /** Re-seals secrets opened with a retired encryption key. */
  resealSecrets(id: string, sealed: { secret: string; previousSecrets: PreviousSecret[] }): Promise<void>;
}
