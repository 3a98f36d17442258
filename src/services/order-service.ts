import { AppError } from "../domain/app-error";
import { type Caller, isAdmin } from "../domain/caller";
import { type Currency, type Order, type OrderStatus, priceItems, statusesLeadingTo } from "../domain/order";
import type { ListPosition, OrderRepository } from "./order-repository";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface CreateOrderInput {
  currency: Currency;
  items: { sku: string; quantity: number; unitPrice: number }[];
  /** Admins only: create on behalf of this customer. */
  customerId?: string;
}

/** The response the handler will send for a new order, stored for idempotent replays. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export type CreateOutcome = { replayed: false; order: Order } | { replayed: true; response: StoredResponse };

export interface CreateOptions {
  idempotencyKey?: string;
  /** Renders the order as the response to store with the key; opaque to the service. */
  render: (order: Order) => StoredResponse;
}

export interface ListOrdersInput {
  limit: number;
  after?: ListPosition;
  status?: OrderStatus;
  includeItems: boolean;
  /** Admins only: one customer's orders. */
  customerId?: string;
}

export interface OrderPage {
  orders: Order[];
  /** Where the next page starts, or null on the last page. */
  next: ListPosition | null;
}

export interface OrderService {
  create(caller: Caller, input: CreateOrderInput, options: CreateOptions): Promise<CreateOutcome>;
  get(caller: Caller, id: string): Promise<Order>;
  list(caller: Caller, input: ListOrdersInput): Promise<OrderPage>;
  cancel(caller: Caller, id: string): Promise<Order>;
  /** Admins only: move an order forward (paid, shipped), optionally only at a given version. */
  setStatus(caller: Caller, id: string, to: OrderStatus, expectedVersion?: number): Promise<Order>;
}

export interface OrderServiceDeps {
  repository: OrderRepository;
  now?: () => Date;
  newId?: () => string;
}

const notFound = () => new AppError("NOT_FOUND", { message: "order not found" });

/** Stable across key order and whitespace: the same request always hashes the same. */
async function requestHash(caller: Caller, input: CreateOrderInput): Promise<string> {
  const canonical = JSON.stringify([
    caller.id,
    input.customerId ?? null,
    input.currency,
    input.items.map((i) => [i.sku, i.quantity, i.unitPrice]),
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Customers see only their own orders; admins see all. A stranger's order is "not found". */
const scopeOf = (caller: Caller) => (isAdmin(caller) ? undefined : caller.id);

export function createOrderService({
  repository,
  now = () => new Date(),
  newId = () => crypto.randomUUID(),
}: OrderServiceDeps): OrderService {
  async function replay(caller: Caller, key: string, hash: string): Promise<CreateOutcome> {
    const stored = await repository.findIdempotencyRecord(caller.id, key);
    // The first request holding the key rolled back or expired in between: let the client retry.
    if (!stored)
      throw new AppError("CONFLICT", { message: "a request with this Idempotency-Key is in progress; retry" });
    if (stored.requestHash !== hash) throw new AppError("IDEMPOTENCY_KEY_REUSED");
    return { replayed: true, response: { status: stored.responseStatus, body: stored.responseBody } };
  }

  return {
    async create(caller, input, { idempotencyKey, render }) {
      if (input.customerId !== undefined && !isAdmin(caller)) {
        throw new AppError("FORBIDDEN", { message: "only admins may create orders for another customer" });
      }
      const hash = idempotencyKey ? await requestHash(caller, input) : undefined;
      const { items, total } = priceItems(input.items);
      const createdAt = new Date(Math.floor(now().getTime()));
      const order: Order = {
        id: newId(),
        customerId: input.customerId ?? caller.id,
        status: "pending",
        currency: input.currency,
        items,
        itemCount: items.length,
        total,
        version: 1,
        createdAt,
        updatedAt: createdAt,
      };
      const response = idempotencyKey ? render(order) : undefined;
      const result = await repository.create(
        { id: order.id, customerId: order.customerId, currency: order.currency, items, total, createdAt },
        idempotencyKey && hash && response
          ? {
              customerId: caller.id,
              key: idempotencyKey,
              requestHash: hash,
              responseStatus: response.status,
              responseBody: response.body,
              expiresAt: new Date(createdAt.getTime() + IDEMPOTENCY_TTL_MS),
            }
          : undefined,
      );
      if (result.kind === "duplicate-key" && idempotencyKey && hash) return replay(caller, idempotencyKey, hash);
      if (result.kind === "duplicate-key") throw new AppError("CONFLICT");
      return { replayed: false, order: result.order };
    },

    async get(caller, id) {
      const order = await repository.findById(id, scopeOf(caller));
      if (!order) throw notFound();
      return order;
    },

    async list(caller, { limit, after, status, includeItems, customerId }) {
      if (customerId !== undefined && !isAdmin(caller)) {
        throw new AppError("FORBIDDEN", { message: "only admins may list another customer's orders" });
      }
      // One row more than asked tells whether another page exists, in the same query.
      const rows = await repository.list({
        customerId: isAdmin(caller) ? customerId : caller.id,
        status,
        limit: limit + 1,
        after,
        includeItems,
      });
      const orders = rows.slice(0, limit);
      const last = orders.at(-1);
      return { orders, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    },

    async cancel(caller, id) {
      const { updated, current } = await repository.transition({
        id,
        customerId: scopeOf(caller),
        to: "cancelled",
        from: statusesLeadingTo("cancelled"),
      });
      if (updated) return updated;
      if (!current) throw notFound();
      throw new AppError("CONFLICT", { message: `a ${current.status} order cannot be cancelled` });
    },

    async setStatus(caller, id, to, expectedVersion) {
      if (!isAdmin(caller)) throw new AppError("FORBIDDEN", { message: "requires the admin role" });
      const { updated, current } = await repository.transition({
        id,
        to,
        from: statusesLeadingTo(to),
        expectedVersion,
      });
      if (updated) return updated;
      if (!current) throw notFound();
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new AppError("PRECONDITION_FAILED");
      }
      throw new AppError("CONFLICT", { message: `cannot move a ${current.status} order to ${to}` });
    },
  };
}
