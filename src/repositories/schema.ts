import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { CURRENCIES, ORDER_STATUSES } from "../domain/order";

export const orderStatus = pgEnum("order_status", ORDER_STATUSES);
export const currency = pgEnum("currency", CURRENCIES);

/** Millisecond precision, like a JS Date and the API's timestamps, so keyset cursors round-trip exactly. */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey(),
    // Whose order: the token's subject as its issuer names it (a UUID from this service's own tokens,
    // `auth0|…` or a Cognito id from a provider's). customer_id is the earlier UUID column: still written
    // when the subject is a UUID, so a version from before migration 0004 keeps working during a rollout;
    // a later contract migration drops it and makes customer_subject NOT NULL (docs/deploying.md).
    customerId: uuid("customer_id"),
    customerSubject: varchar("customer_subject", { length: 255 }),
    status: orderStatus("status").notNull().default("pending"),
    currency: currency("currency").notNull(),
    // Sums can outgrow int4; mode "number" is safe because the domain caps totals at 2^53 - 1.
    total: bigint("total", { mode: "number" }).notNull(),
    itemCount: smallint("item_count").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamptz("created_at").notNull().default(sql`now()`),
    updatedAt: timestamptz("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    // Keyset pagination: a customer's orders newest first, with or without a status filter,
    // and the admin's view of everyone's. NULLS FIRST is what `ORDER BY … DESC` means: with
    // drizzle's default (NULLS LAST) the planner cannot read these in order and sorts every row.
    index("orders_customer_created_idx").on(t.customerId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("orders_customer_status_created_idx").on(
      t.customerId,
      t.status,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("orders_subject_created_idx").on(
      t.customerSubject,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("orders_subject_status_created_idx").on(
      t.customerSubject,
      t.status,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("orders_status_created_idx").on(t.status, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("orders_created_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check("orders_total_nonnegative", sql`${t.total} >= 0 AND ${t.total} <= 9007199254740991`),
    check("orders_item_count_range", sql`${t.itemCount} BETWEEN 1 AND 100`),
    check("orders_version_positive", sql`${t.version} >= 1`),
  ],
);

export const orderItems = pgTable(
  "order_items",
  {
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    position: smallint("position").notNull(),
    sku: varchar("sku", { length: 64 }).notNull(),
    quantity: integer("quantity").notNull(),
    unitPrice: bigint("unit_price", { mode: "number" }).notNull(),
    lineTotal: bigint("line_total", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ name: "order_items_pkey", columns: [t.orderId, t.position] }),
    check("order_items_position_range", sql`${t.position} BETWEEN 0 AND 99`),
    check("order_items_sku_format", sql`${t.sku} ~ '^[A-Za-z0-9._-]{1,64}$'`),
    check("order_items_quantity_range", sql`${t.quantity} BETWEEN 1 AND 1000`),
    check("order_items_unit_price_range", sql`${t.unitPrice} BETWEEN 0 AND 100000000`),
    check("order_items_line_total", sql`${t.lineTotal} = ${t.quantity} * ${t.unitPrice}`),
  ],
);

/**
 * A stored answer to a create request, keyed by the caller and their Idempotency-Key. Written in
 * the same statement as the order, so a key never exists without its order or vice versa.
 * `order_snapshot` is the order as first created (JSON text, byte for byte), which replays render.
 * `response_status`/`response_body` were written before it (migration 0002); nothing reads them now.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    // As on orders: the subject keys the record; customer_id is kept, nullable, for the version before.
    customerId: uuid("customer_id"),
    customerSubject: varchar("customer_subject", { length: 255 }).notNull(),
    key: varchar("key", { length: 255 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    orderSnapshot: text("order_snapshot"),
    responseStatus: smallint("response_status"),
    responseBody: jsonb("response_body"),
    createdAt: timestamptz("created_at").notNull().default(sql`now()`),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "idempotency_keys_subject_pkey", columns: [t.customerSubject, t.key] }),
    uniqueIndex("idempotency_keys_customer_key_idx").on(t.customerId, t.key),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);
