import { and, desc, eq, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Customer } from "../domain/caller";
import type { Order } from "../domain/order";
import type { EventStamp } from "../domain/order-event";
import type {
  CreateResult,
  IdempotencyClaim,
  ListQuery,
  OrderRepository,
  RenderedPage,
  TransitionResult,
} from "../services/order-repository";
import type { Database } from "./database";
import { runQuery } from "./database-errors";
import { deleteOldestBefore } from "./oldest-first-delete";
import { toOrder, withItems } from "./order-rows";
import { decodeSnapshot, encodeSnapshot } from "./order-snapshot";
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

/** One row of VALUES per item, typed: untyped parameters would arrive as text. */
const itemRows = (order: Order) =>
  sql.join(
    (order.items ?? []).map(
      (item, position) =>
        sql`(${position}::smallint, ${item.sku}::varchar, ${item.quantity}::integer, ${item.unitPrice}::bigint, ${item.lineTotal}::bigint)`,
    ),
    sql`, `,
  );

/**
 * Claims the key and inserts order and items in one statement. The key goes first: on conflict
 * with a live record nothing is inserted (a racing duplicate waits for the first to commit, then
 * inserts nothing); an expired record is replaced. Foreign keys are checked at the end of the
 * statement, when the order exists.
 */
function claimAndInsert(db: Database, order: Order, claim: IdempotencyClaim, event: EventStamp) {
  const createdAt = order.createdAt.toISOString();
  return db.execute(sql`
    WITH claimed AS (
      INSERT INTO ${idempotencyKeys} (customer_subject, customer_issuer, key, request_hash, order_id, order_snapshot, created_at, expires_at)
      VALUES (${claim.caller.id}, ${claim.caller.issuer}, ${claim.key}, ${claim.requestHash}, ${order.id}::uuid,
              ${encodeSnapshot(order)}, ${createdAt}::timestamptz, ${claim.expiresAt.toISOString()}::timestamptz)
      ON CONFLICT (customer_issuer, customer_subject, key) DO UPDATE SET
        request_hash = excluded.request_hash, order_id = excluded.order_id, order_snapshot = excluded.order_snapshot,
        created_at = excluded.created_at, expires_at = excluded.expires_at
      WHERE ${idempotencyKeys}.expires_at <= excluded.created_at
      RETURNING order_id
    ), new_order AS (
      INSERT INTO ${orders} (id, customer_subject, customer_issuer, status, currency, total, item_count, version, created_at, updated_at)
      SELECT order_id, ${order.customerId}, ${order.customerIssuer}, 'pending', ${order.currency}::currency, ${order.total}::bigint,
             ${order.itemCount}::smallint, 1, ${createdAt}::timestamptz, ${createdAt}::timestamptz
      FROM claimed
      RETURNING id
    ), new_event AS (
      INSERT INTO ${orderEvents} (id, type, order_id, customer_subject, customer_issuer, order_version, status, request_id, traceparent, tracestate, created_at)
      SELECT ${event.id}::uuid, 'order.created', id, ${order.customerId}, ${order.customerIssuer}, 1, 'pending', ${event.requestId ?? null},
             ${event.trace?.traceparent ?? null}, ${event.trace?.tracestate ?? null}, ${createdAt}::timestamptz
      FROM new_order
    )
    INSERT INTO ${orderItems} (order_id, position, sku, quantity, unit_price, line_total)
    SELECT new_order.id, v.position, v.sku, v.quantity, v.unit_price, v.line_total
    FROM new_order CROSS JOIN (VALUES ${itemRows(order)}) AS v(position, sku, quantity, unit_price, line_total)`);
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
      requestId: event.requestId ?? null,
      traceparent: event.trace?.traceparent ?? null,
      tracestate: event.trace?.tracestate ?? null,
      createdAt: order.createdAt,
    }),
  ] as const;
}

/** Runs after the claim in the same transaction: sees our record, or the one that was there first. */
function readClaim(db: Database, claim: IdempotencyClaim) {
  return db
    .select({
      orderId: idempotencyKeys.orderId,
      requestHash: idempotencyKeys.requestHash,
      snapshot: idempotencyKeys.orderSnapshot,
      // Aliased and qualified by hand: drizzle leaves a one-table query's columns unqualified.
      eventId: sql<string | null>`(SELECT e.id FROM ${orderEvents} e
        WHERE e.order_id = ${idempotencyKeys}.order_id AND e.type = 'order.created' LIMIT 1)`,
    })
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.customerSubject, claim.caller.id),
        eq(idempotencyKeys.customerIssuer, claim.caller.issuer),
        eq(idempotencyKeys.key, claim.key),
      ),
    );
}

/** What a taken key holds, as the service reads it. */
const storedRecord = (row: { requestHash: string; snapshot: string | null; eventId: string | null }) => ({
  requestHash: row.requestHash,
  snapshot: row.snapshot ? decodeSnapshot(row.snapshot) : null,
  eventId: row.eventId,
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
  return {
    async create(order, claim, event): Promise<CreateResult> {
      if (!claim) {
        await runQuery("orders.create", () => db.batch(insertOrder(db, order, event)));
        return { kind: "created", order };
      }
      const [, rows] = await runQuery("orders.create-idempotent", () =>
        db.batch([claimAndInsert(db, order, claim, event), readClaim(db, claim)]),
      );
      const record = rows[0];
      if (record?.orderId === order.id) return { kind: "created", order };
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
