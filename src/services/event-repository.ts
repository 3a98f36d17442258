import type { Customer } from "../domain/caller";
import type { OrderEvent, OrderEventType } from "../domain/order-event";
import type { ListPosition } from "./keyset-page";

/** What the events feed and the event jobs (sweep, fan-out, redelivery, purge) need from storage. Owned here, implemented in src/repositories. */

export interface EventListQuery {
  /** Only events of this customer's orders; everyone's when absent (admins). */
  customer?: Customer;
  type?: OrderEventType;
  orderId?: string;
  limit: number;
  /**
   * `desc`: newest first, older than `after`. `asc`: in commit order after `after`, and only events no
   * transaction still running can commit behind.
   */
  direction: "asc" | "desc";
  after?: ListPosition;
}

/** What the sweep claims: see EventRepository.claimForSweep. */
export interface SweepClaim {
  createdBefore: Date;
  sweptBefore: Date;
  at: Date;
  limit: number;
}

export interface EventRepository {
  list(query: EventListQuery): Promise<OrderEvent[]>;
  /** The event, rendered with its order at that version; only if it is this customer's (when given). */
  findById(id: string, customer?: Customer): Promise<OrderEvent | null>;
  /**
   * What the fan-out needs of an event (its type, time, trace, and whether it was fanned out already),
   * without its order; null when there is no such event (not committed, never committed, or purged).
   */
  routeOf(
    id: string,
  ): Promise<{ type: OrderEventType; createdAt: Date; traceparent?: string; dispatched?: boolean } | null>;
  /**
   * Claims for the sweep, at `at`, up to `limit` events created before `createdBefore` that are not fanned
   * out yet and were not claimed since `sweptBefore`, oldest first, skipping those another sweep is
   * claiming this moment: id and trace.
   */
  claimForSweep(claim: SweepClaim): Promise<{ id: string; traceparent?: string }[]>;
  /**
   * Lets go of a sweep's claim made `at` whose hand-over failed: those of `ids` still claimed then are the
   * next sweep's to claim, whenever it runs, not only an hour on.
   */
  releaseSweepClaim(ids: string[], at: Date): Promise<void>;
  /** Records that the event was fanned out to its endpoints. */
  markDispatched(id: string, at: Date): Promise<void>;
  /** The age of the oldest event not fanned out yet, as its creation time; null when there is none. */
  oldestUndispatched(): Promise<Date | null>;
  /**
   * What an endpoint missed: events of `types` created at or after `from` that it has no delivered
   * attempt of, oldest first, at most `limit`, each with the attempts made for it there.
   */
  missedBy(
    endpointId: string,
    query: { from: Date; types: OrderEventType[]; limit: number },
  ): Promise<{ id: string; traceparent?: string; attemptsMade: number }[]>;
  /** Deletes up to `limit` events created before `before` (with their delivery attempts), oldest first. */
  purgeOlderThan(before: Date, limit: number): Promise<number>;
}
