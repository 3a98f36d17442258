import { and, asc, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Order } from "../domain/order";
import type {
  CreateResult,
  ListQuery,
  OrderRepository,
  StoredIdempotencyRecord,
  TransitionResult,
} from "../services/order-repository";
import type { Database } from "./database";
import { constraintOf, runQuery, sqlState } from "./database-errors";
import { idempotencyKeys, orderItems, orders } from "./schema";

type OrderRow = typeof orders.$inferSelect;
type ItemRow = typeof orderItems.$inferSelect;

function toOrder(row: OrderRow & { items?: ItemRow[] }): Order {
  const order: Order = {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    currency: row.currency,
    itemCount: row.itemCount,
    total: row.total,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.items) {
    order.items = row.items.map((i) => ({
      sku: i.sku,
      quantity: i.quantity,
      unitPrice: i.unitPrice,
      lineTotal: i.lineTotal,
    }));
  }
  return order;
}

const itemsInOrder = { orderBy: [asc(orderItems.position)] };

function visible(id: string, customerId: string | undefined): SQL | undefined {
  return and(eq(orders.id, id), customerId ? eq(orders.customerId, customerId) : undefined);
}

/**
 * A page of orders, newest first, in one query. The keyset condition is a row comparison and the
 * order matches the indexes exactly (DESC NULLS FIRST), so Postgres reads just the page from an
 * index instead of sorting every row the filter matches. Exported for the query-plan test.
 */
export function listOrdersQuery(db: Database, { customerId, status, limit, after, includeItems }: ListQuery) {
  const where = and(
    customerId ? eq(orders.customerId, customerId) : undefined,
    status ? eq(orders.status, status) : undefined,
    after
      ? sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
      : undefined,
  );
  const orderBy = [desc(orders.createdAt), desc(orders.id)];
  return includeItems
    ? db.query.orders.findMany({ where, orderBy, limit, with: { items: itemsInOrder } })
    : db.query.orders.findMany({ where, orderBy, limit });
}

/** Drizzle implementation of the service's OrderRepository; one HTTP round trip per method. */
export function createOrderRepository(db: Database): OrderRepository {
  return {
    async create(order, idempotency): Promise<CreateResult> {
      const insertOrder = db.insert(orders).values({
        id: order.id,
        customerId: order.customerId,
        currency: order.currency,
        total: order.total,
        itemCount: order.items.length,
        createdAt: order.createdAt,
        updatedAt: order.createdAt,
      });
      const insertItems = db.insert(orderItems).values(
        order.items.map((item, position) => ({
          orderId: order.id,
          position,
          sku: item.sku,
          quantity: item.quantity,
          unitPrice: item.unitPrice,
          lineTotal: item.lineTotal,
        })),
      );
      try {
        if (idempotency) {
          // An expired record under the same key is replaced, in the same transaction.
          const dropExpired = db
            .delete(idempotencyKeys)
            .where(
              and(
                eq(idempotencyKeys.customerId, idempotency.customerId),
                eq(idempotencyKeys.key, idempotency.key),
                lt(idempotencyKeys.expiresAt, order.createdAt),
              ),
            );
          const insertKey = db.insert(idempotencyKeys).values({
            customerId: idempotency.customerId,
            key: idempotency.key,
            requestHash: idempotency.requestHash,
            orderId: order.id,
            responseStatus: idempotency.responseStatus,
            responseBody: idempotency.responseBody,
            createdAt: order.createdAt,
            expiresAt: idempotency.expiresAt,
          });
          await runQuery(() => db.batch([dropExpired, insertOrder, insertItems, insertKey]));
        } else {
          await runQuery(() => db.batch([insertOrder, insertItems]));
        }
      } catch (err) {
        if (sqlState(err) === "23505" && constraintOf(err) === "idempotency_keys_pkey")
          return { kind: "duplicate-key" };
        throw err;
      }
      return {
        kind: "created",
        order: {
          id: order.id,
          customerId: order.customerId,
          status: "pending",
          currency: order.currency,
          items: order.items,
          itemCount: order.items.length,
          total: order.total,
          version: 1,
          createdAt: order.createdAt,
          updatedAt: order.createdAt,
        },
      };
    },

    async findIdempotencyRecord(customerId, key): Promise<StoredIdempotencyRecord | null> {
      const rows = await runQuery(() =>
        db
          .select({
            requestHash: idempotencyKeys.requestHash,
            responseStatus: idempotencyKeys.responseStatus,
            responseBody: idempotencyKeys.responseBody,
            expiresAt: idempotencyKeys.expiresAt,
          })
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.customerId, customerId), eq(idempotencyKeys.key, key))),
      );
      return rows[0] ?? null;
    },

    async findById(id, customerId) {
      const row = await runQuery(() =>
        db.query.orders.findFirst({ where: visible(id, customerId), with: { items: itemsInOrder } }),
      );
      return row ? toOrder(row) : null;
    },

    async list(query: ListQuery) {
      const rows = await runQuery(() => listOrdersQuery(db, query));
      return rows.map(toOrder);
    },

    async transition({ id, customerId, to, from, expectedVersion }): Promise<TransitionResult> {
      const guard = and(
        visible(id, customerId),
        inArray(orders.status, from),
        expectedVersion === undefined ? undefined : eq(orders.version, expectedVersion),
      );
      const [updated, current] = await runQuery(() =>
        db.batch([
          db
            .update(orders)
            .set({ status: to, version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
            .where(guard)
            .returning({ id: orders.id }),
          // Runs after the update in the same transaction: sees the new row when it changed.
          db.query.orders.findFirst({ where: visible(id, customerId), with: { items: itemsInOrder } }),
        ]),
      );
      const now = current ? toOrder(current) : null;
      return { updated: updated.length > 0 ? now : null, current: now };
    },
  };
}
