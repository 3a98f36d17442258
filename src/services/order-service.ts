import { AppError } from "../domain/app-error";
import { type Caller, customerOf, isAdmin, requireAdmin, scopeOf } from "../domain/caller";
import { type Currency, type Order, type OrderStatus, priceItems, statusesLeadingTo } from "../domain/order";
import type { EventStamp, EventTrace } from "../domain/order-event";
import type { ListPosition } from "./keyset-page";
import { namedCustomer } from "./named-customer";
import type {
  OrderRepository,
  RenderedOrder,
  RenderedPage,
  StoredIdempotencyRecord,
  TransitionInput,
} from "./order-repository";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface CreateOrderInput {
  currency: Currency;
  items: { sku: string; quantity: number; unitPrice: number }[];
  /** Admins only: create on behalf of this customer (a subject of the admin's issuer). */
  customerId?: string;
}

/**
 * A new order, or (`replayed`) the order that an earlier request with the same Idempotency-Key
 * created, exactly as it was then: the typed snapshot both answers are rendered from.
 */
export interface CreateOutcome {
  order: Order;
  replayed: boolean;
}

export interface ListOrdersInput {
  limit: number;
  after?: ListPosition;
  status?: OrderStatus;
  includeItems: boolean;
  /** Admins only: one customer's orders (a subject of the admin's issuer). */
  customerId?: string;
}

/** A page of orders, newest first, as the database rendered them; `next` is null on the last page. */
export type OrderPage = RenderedPage;

/** The request a write comes from: its id and trace are recorded on the event the write causes. */
export interface WriteOrigin {
  requestId?: string;
  trace?: EventTrace;
}

export interface OrderService {
  create(
    caller: Caller,
    input: CreateOrderInput,
    idempotencyKey?: string,
    origin?: WriteOrigin,
  ): Promise<CreateOutcome>;
  get(caller: Caller, id: string): Promise<RenderedOrder>;
  list(caller: Caller, input: ListOrdersInput): Promise<OrderPage>;
  /** Owners and admins: cancel a pending or paid order, optionally only at a given version. */
  cancel(caller: Caller, id: string, expectedVersion?: number, origin?: WriteOrigin): Promise<Order>;
  /** Admins only: move an order forward (paid, shipped), optionally only at a given version. */
  setStatus(
    caller: Caller,
    id: string,
    to: OrderStatus,
    expectedVersion?: number,
    origin?: WriteOrigin,
  ): Promise<Order>;
}

export interface OrderServiceDeps {
  repository: OrderRepository;
  /** Milliseconds since the epoch. */
  now?: () => number;
  newId?: () => string;
  /**
   * Told each event a write committed, to hand it to the queue before the answer (awaited: one send). It
   * must not throw, nor wait out a refusal: an event it loses is handed over by the sweep.
   */
  announce?: (event: EventStamp) => Promise<void> | void;
}

const notFound = () => new AppError("NOT_FOUND", { message: "order not found" });

/** Why a customer may not name a `customer_id`: the handlers refuse invalid input with the same words. */
export const CUSTOMER_ID_FORBIDDEN = {
  create: "only admins may create orders for another customer",
  list: "only admins may list another customer's orders",
} as const;

/**
 * Why a guarded status change did not happen, the order as it is now in hand: a stale version
 * (If-Match) is 412, whatever the status; otherwise the status machine refused, and the answer
 * says where the order stands, so a retry whose first attempt went through can tell.
 */
function refusedTransition(current: Order, expectedVersion: number | undefined, message: string): AppError {
  if (expectedVersion !== undefined && current.version !== expectedVersion) return new AppError("PRECONDITION_FAILED");
  return new AppError("CONFLICT", { message, details: { current_status: current.status } });
}

/**
 * A write with its event, whose answer may be lost: the database took it but no answer came back (or the
 * request gave up on it after sending it), so it may have been applied. Its event is handed over all the
 * same, so it reaches the queue now rather than at the hourly sweep (the fan-out waits for an id that has
 * not committed yet, and gives up on one that never does). A write that a blind retry would repeat
 * (`unknownOutcome` given) tells the client the outcome is unknown (no Retry-After) and how to find out,
 * instead of inviting a retry; a keyed create's error stands, since its retry replays.
 */
async function writeWithEvent<T>(
  write: Promise<T>,
  {
    event,
    announce,
    unknownOutcome,
  }: { event: EventStamp; announce: (e: EventStamp) => Promise<void> | void; unknownOutcome?: string },
): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (!(err instanceof AppError && err.mayHaveApplied)) throw err;
    await announce(event);
    // Cut short by its request (the deadline's 504 is answered, or the client is gone): nobody to tell.
    if (unknownOutcome === undefined || err.cancelled) throw err;
    throw new AppError("OUTCOME_UNKNOWN", { message: unknownOutcome, detail: err.detail });
  }
}

/** Stable across key order and whitespace: the same request always hashes the same. */
async function hashRequest(caller: Caller, input: CreateOrderInput): Promise<string> {
  const canonical = JSON.stringify([
    caller.id,
    input.customerId === undefined ? null : namedCustomer(caller, input.customerId).id,
    input.currency,
    input.items.map((i) => [i.sku, i.quantity, i.unitPrice]),
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return new Uint8Array(digest).toHex();
}

/** The Idempotency-Key's claim: this request's hash, held for a day from the create. */
async function claimOf(caller: Caller, input: CreateOrderInput, key: string, createdAtMs: number) {
  const requestHash = await hashRequest(caller, input);
  return { caller: customerOf(caller), key, requestHash, expiresAt: new Date(createdAtMs + IDEMPOTENCY_TTL_MS) };
}

/** A new pending order for this caller, priced on the server. */
function newOrder(caller: Caller, input: CreateOrderInput, id: string, createdAtMs: number): Order {
  const { items, total } = priceItems(input.items);
  const createdAt = new Date(createdAtMs);
  const customer = input.customerId === undefined ? caller : namedCustomer(caller, input.customerId);
  return {
    id,
    customerId: customer.id,
    customerIssuer: customer.issuer,
    status: "pending",
    currency: input.currency,
    items,
    itemCount: items.length,
    total,
    version: 1,
    createdAt,
    updatedAt: createdAt,
  };
}

/** The answer to a create whose Idempotency-Key was taken: the first order, or why not. */
function replayOf(record: StoredIdempotencyRecord | null, requestHash: string): CreateOutcome {
  // The record that held the key vanished in between (purged, or its order deleted): retry.
  if (!record) throw new AppError("CONFLICT", { message: "a request with this Idempotency-Key is in progress; retry" });
  if (record.requestHash !== requestHash) throw new AppError("IDEMPOTENCY_KEY_REUSED");
  if (!record.snapshot) {
    throw new AppError("CONFLICT", {
      message: "this Idempotency-Key was used before an upgrade and cannot be replayed; use a new key",
    });
  }
  return { order: record.snapshot, replayed: true };
}

/** A guarded status change with its event; the event is announced only when the change happened. */
const guardedTransition =
  (
    repository: OrderRepository,
    stamp: (origin?: WriteOrigin) => EventStamp,
    announce: (event: EventStamp) => Promise<void> | void,
  ) =>
  async (input: Omit<TransitionInput, "event">, origin: WriteOrigin | undefined, unknownOutcome: string) => {
    const event = stamp(origin);
    const result = await writeWithEvent(repository.transition({ ...input, event }), {
      event,
      announce,
      unknownOutcome,
    });
    if (result.updated) await announce(event);
    return result;
  };

const CREATE_OUTCOME_UNKNOWN =
  "the order may have been created: list your orders before creating it again, and send an " +
  "Idempotency-Key so that a retry is safe";

/**
 * A create: without a key, one attempt whose lost answer is OUTCOME_UNKNOWN; with one, the claim and the
 * order in one statement, and a taken key answered by the first order.
 */
const creation =
  ({
    repository,
    now,
    newId,
    announce,
    stamp,
  }: Required<OrderServiceDeps> & { stamp: (origin?: WriteOrigin) => EventStamp }): OrderService["create"] =>
  async (caller, input, idempotencyKey, origin) => {
    if (input.customerId !== undefined && !isAdmin(caller)) {
      throw new AppError("FORBIDDEN", { message: CUSTOMER_ID_FORBIDDEN.create });
    }
    const createdAtMs = Math.floor(now());
    const order = newOrder(caller, input, newId(), createdAtMs);
    const event = stamp(origin);
    if (idempotencyKey === undefined) {
      const write = repository.create(order, undefined, event);
      const result = await writeWithEvent(write, { event, announce, unknownOutcome: CREATE_OUTCOME_UNKNOWN });
      if (result.kind !== "created") throw new AppError("CONFLICT");
      await announce(event);
      return { order: result.order, replayed: false };
    }
    const claim = await claimOf(caller, input, idempotencyKey, createdAtMs);
    const result = await writeWithEvent(repository.create(order, claim, event), { event, announce });
    if (result.kind !== "created") {
      const replay = replayOf(result.record, claim.requestHash);
      // The first request's worker may have stopped before handing its event over: hand it over again
      // (the fan-out takes an event once, however often it is handed over).
      if (result.record?.eventId) await announce({ id: result.record.eventId });
      return replay;
    }
    await announce(event);
    return { order: result.order, replayed: false };
  };

export function createOrderService({
  repository,
  now = Date.now,
  newId = () => crypto.randomUUID(),
  announce = () => {},
}: OrderServiceDeps): OrderService {
  const stamp = (origin: WriteOrigin | undefined): EventStamp => ({
    id: newId(),
    requestId: origin?.requestId,
    ...(origin?.trace ? { trace: origin.trace } : {}),
  });
  const transition = guardedTransition(repository, stamp, announce);
  return {
    create: creation({ repository, now, newId, announce, stamp }),

    async get(caller, id) {
      const order = await repository.findById(id, scopeOf(caller));
      if (!order) throw notFound();
      return order;
    },

    async list(caller, { limit, after, status, includeItems, customerId }) {
      if (customerId !== undefined && !isAdmin(caller)) {
        throw new AppError("FORBIDDEN", { message: CUSTOMER_ID_FORBIDDEN.list });
      }
      const named = customerId === undefined ? undefined : namedCustomer(caller, customerId);
      const customer = isAdmin(caller) ? named : customerOf(caller);
      return repository.list({ customer, status, limit, after, includeItems });
    },

    async cancel(caller, id, expectedVersion, origin) {
      const { updated, current } = await transition(
        { id, customer: scopeOf(caller), to: "cancelled", from: statusesLeadingTo("cancelled"), expectedVersion },
        origin,
        "the order may have been cancelled: read it before cancelling again",
      );
      if (updated) return updated;
      if (!current) throw notFound();
      throw refusedTransition(current, expectedVersion, `a ${current.status} order cannot be cancelled`);
    },

    async setStatus(caller, id, to, expectedVersion, origin) {
      requireAdmin(caller);
      const { updated, current } = await transition(
        { id, to, from: statusesLeadingTo(to), expectedVersion },
        origin,
        "the status may have changed: read the order before trying again",
      );
      if (updated) return updated;
      if (!current) throw notFound();
      throw refusedTransition(current, expectedVersion, `cannot move a ${current.status} order to ${to}`);
    },
  };
}
