import { and, desc, eq, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Customer } from "../domain/caller";
import type { Order } from "../domain/order";
import type { EventStamp } from "../domain/order-event";
import type {
  CreateResult,
  ListQuery,
  OrderRepository,
  RenderedPage,
  TransitionResult,
} from "../services/order-repository";
import type { Database } from "./database";
import { runQuery } from "./database-errors";
import { type ClaimRow, compiledIdempotentCreate } from "./idempotent-create";
import { deleteOldestBefore } from "./oldest-first-delete";
import { eventOrigin, toOrder, withItems } from "./order-rows";
import { decodeSnapshot } from "./order-snapshot";
import { listedOrder, renderedOrder } from "./rendered-order";
import { idempotencyKeys, orderEvents, orderItems, orders } from "./schema";

type Value = string | Placeholder;

/** This customer's rows: their subject within their issuer (values or placeholders). */
const ownedBy = (customer: { id: Value; issuer: Value }): SQL | undefined =>
  and(eq(orders.customerSubject, customer.id), eq(orders.customerIssuer, customer.issuer));

/** Placeholders for a customer, filled per call from `customerId` and `customerIssuer`. */
const customerPlaceholders = { id: sql.placeholder("customerId"), issuer: sql.placeholder("customerIssuer") };

/** The values of customerPlaceholders. */
const ownerParams = (customer: Customer) => ({ customerId: customer.id, customerIssuer: customer.issuer });

/** The order with this id, and only if it is this customer's (when one is given). */
function visible(id: Value, customer: { id: Value; issuer: Value } | undefined): SQL | undefined {
  return and(eq(orders.id, id), customer ? ownedBy(customer) : undefined);
}

/** Which filters a list query has: each shape is one SQL text, its values filled per call. */
export interface ListShape {
  byCustomer: boolean;
  byStatus: boolean;
  afterPosition: boolean;
  includeItems: boolean;
}

export const shapeOf = (q: ListQuery): ListShape => ({
  byCustomer: q.customer !== undefined,
  byStatus: q.status !== undefined,
  afterPosition: q.after !== undefined,
  includeItems: q.includeItems,
});

/** The values a list query's placeholders take. */
export const listParams = ({ customer, status, limit, after }: ListQuery) => ({
  ...(customer ? ownerParams(customer) : {}),
  status,
  limit,
  fetch: limit + 1,
  afterAt: after?.createdAt.toISOString(),
  afterId: after?.id,
});

/**
 * A page of orders, newest first, in one query and one row. The keyset condition is a row comparison
 * and the order matches the indexes exactly (DESC NULLS FIRST), so Postgres reads just the page and one
 * more (is there a next page?) from an index instead of sorting every row the filter matches. Around
 * them, one row: the page's orders as one JSON array (the one more left out) and where the next page
 * starts, so the driver parses a single string. Built with placeholders, so each shape is built once;
 * exported for the query-plan test.
 */
export function listOrdersQuery(db: Database, { byCustomer, byStatus, afterPosition, includeItems }: ListShape) {
  const where = and(
    byCustomer ? ownedBy(customerPlaceholders) : undefined,
    byStatus ? eq(orders.status, sql.placeholder("status")) : undefined,
    afterPosition
      ? sql`(${orders.createdAt}, ${orders.id}) < (${sql.placeholder("afterAt")}::timestamptz, ${sql.placeholder("afterId")}::uuid)`
      : undefined,
  );
  const rows = db
    .select(listedOrder(includeItems))
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(sql.placeholder("fetch"))
    .as("page");
  const size = sql`${sql.placeholder("limit")}::int`;
  const newestFirst = (column: SQL) => sql`(array_agg(${column} ORDER BY page.created_at DESC, page.id DESC))`;
  return db
    .select({
      json: sql<string>`'[' || coalesce(array_to_string(${newestFirst(sql`page.json`)}[1:${size}], ','), '') || ']'`,
      more: sql<boolean>`count(*) > ${size}`,
      lastAt: sql`${newestFirst(sql`page.created_at`)}[${size}]`.mapWith(orders.createdAt),
      lastId: sql<string | null>`${newestFirst(sql`page.id`)}[${size}]`,
    })
    .from(rows);
}

type ListRow = { json: string; more: boolean; lastAt: Date | null; lastId: string | null };

/**
 * Every list shape prepared once per repository, on first use (query building was the largest
 * share of a list request's CPU after the database call).
 */
function preparedLists(db: Database) {
  type Prepared = { execute(values: Record<string, unknown>): Promise<ListRow[]> };
  const prepared = new Map<string, Prepared>();
  return async (query: ListQuery): Promise<RenderedPage> => {
    const shape = shapeOf(query);
    const key = Object.values(shape)
      .map((on) => (on ? "1" : "0"))
      .join("");
    let statement = prepared.get(key);
    if (!statement) {
      statement = listOrdersQuery(db, shape).prepare(`orders_list_${key}`) as Prepared;
      prepared.set(key, statement);
    }
    const [row] = await statement.execute(listParams(query));
    const next = row?.more && row.lastAt && row.lastId ? { createdAt: row.lastAt, id: row.lastId } : null;
    return { json: row?.json ?? "[]", next };
  };
}

/** The order, its items and its event, as three statements of one batch (one transaction, one round trip). */
function insertOrder(db: Database, order: Order, event: EventStamp) {
  return [
    db.insert(orders).values({
      id: order.id,
      customerSubject: order.customerId,
      customerIssuer: order.customerIssuer,
      currency: order.currency,
      total: order.total,
      itemCount: order.itemCount,
      createdAt: order.createdAt,
      updatedAt: order.createdAt,
    }),
    db.insert(orderItems).values(
      (order.items ?? []).map((item, position) => ({
        orderId: order.id,
        position,
        sku: item.sku,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
        lineTotal: item.lineTotal,
      })),
    ),
    db.insert(orderEvents).values({
      id: event.id,
      type: "order.created",
      orderId: order.id,
      customerSubject: order.customerId,
      customerIssuer: order.customerIssuer,
      orderVersion: order.version,
      status: order.status,
      ...eventOrigin(event),
      createdAt: order.createdAt,
    }),
  ] as const;
}

/** What a taken key holds, as the service reads it. */
const storedRecord = (row: ClaimRow) => ({
  requestHash: row.request_hash,
  snapshot: row.order_snapshot ? decodeSnapshot(row.order_snapshot) : null,
  eventId: row.event_id,
});

/**
 * The hottest read, built once per repository instead of per request: query building is a tenth of
 * `GET /v1/orders/:id`'s CPU in `npm run bench:profile`. Placeholders are filled per call.
 */
function preparedFinds(db: Database) {
  const id = sql.placeholder("id");
  return {
    any: db.select(renderedOrder).from(orders).where(visible(id, undefined)).prepare("orders_find_any"),
    own: db.select(renderedOrder).from(orders).where(visible(id, customerPlaceholders)).prepare("orders_find_own"),
  };
}

/**
 * The guarded status change and its event in one statement: the row is locked and its status read
 * before the update (the event names the status it left), and the event is inserted only for a row
 * that changed, at the version and time the update gave it.
 */
function changeStatus(db: Database, guard: SQL | undefined, to: Order["status"], event: EventStamp) {
  return db.execute(sql`
    WITH previous AS (
      SELECT ${orders.id} AS id, ${orders.status} AS status FROM ${orders} WHERE ${guard} FOR UPDATE
    ), changed AS (
      UPDATE ${orders} SET status = ${to}::order_status, version = ${orders.version} + 1, updated_at = now()
      FROM previous WHERE ${orders.id} = previous.id
      RETURNING ${orders.id} AS id, ${orders.customerSubject} AS subject, ${orders.customerIssuer} AS issuer,
                ${orders.version} AS version,
                ${orders.updatedAt} AS updated_at, previous.status AS previous_status
    )
    INSERT INTO ${orderEvents} (id, type, order_id, customer_subject, customer_issuer, order_version, status, previous_status, request_id, traceparent, tracestate, created_at)
    SELECT ${event.id}::uuid, 'order.status_changed', id, subject, issuer, version, ${to}::order_status, previous_status,
           ${event.requestId ?? null}, ${event.trace?.traceparent ?? null}, ${event.trace?.tracestate ?? null}, updated_at
    FROM changed
    RETURNING order_id`);
}

/** Drizzle implementation of the service's OrderRepository; one HTTP round trip per method. */
export function createPostgresOrderRepository(db: Database): OrderRepository {
  const find = preparedFinds(db);
  const list = preparedLists(db);
  const createWithKey = compiledIdempotentCreate(db);
  return {
    async create(order, claim, event): Promise<CreateResult> {
      if (!claim) {
        await runQuery("orders.create", () => db.batch(insertOrder(db, order, event)));
        return { kind: "created", order };
      }
      const record = await runQuery("orders.create-idempotent", () => createWithKey(order, claim, event));
      if (record?.order_id === order.id) return { kind: "created", order };
      return { kind: "key-taken", record: record ? storedRecord(record) : null };
    },

    async findById(id, customer?: Customer) {
      const [row] = await runQuery("orders.find", () =>
        customer ? find.own.execute({ id, ...ownerParams(customer) }) : find.any.execute({ id }),
      );
      return row ?? null;
    },

    list: (query: ListQuery) => runQuery("orders.list", () => list(query)),

    async transition({ id, customer, to, from, expectedVersion, event }): Promise<TransitionResult> {
      const guard = and(
        visible(id, customer),
        inArray(orders.status, from),
        expectedVersion === undefined ? undefined : eq(orders.version, expectedVersion),
      );
      const [updated, current] = await runQuery("orders.transition", () =>
        db.batch([
          changeStatus(db, guard, to, event),
          // Runs after the update in the same transaction: sees the new row when it changed.
          db.select(withItems).from(orders).where(visible(id, customer)),
        ]),
      );
      const now = current[0] ? toOrder(current[0]) : null;
      return { updated: updated.rows.length > 0 ? now : null, current: now };
    },

    purgeExpiredIdempotencyRecords: (before, limit) =>
      deleteOldestBefore(db, "idempotency.purge", {
        table: idempotencyKeys,
        column: idempotencyKeys.expiresAt,
        before,
        limit,
      }),
  };
}
