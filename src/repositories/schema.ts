import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { CURRENCIES, ORDER_STATUSES } from "../domain/order";

export const orderStatus = pgEnum("order_status", ORDER_STATUSES);
export const currency = pgEnum("currency", CURRENCIES);

/** A 64-bit transaction id (PostgreSQL 13+), read as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

/** Millisecond precision, like a JS Date and the API's timestamps, so keyset cursors round-trip exactly. */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey(),
    // Whose order: the token's subject as its issuer names it (a UUID from this service's own tokens,
    // `auth0|…` or a Cognito id from a provider's). It replaced the UUID column customer_id (0004–0012).
    customerSubject: varchar("customer_subject", { length: 255 }).notNull(),
    // Who named that subject: "" for this service's own tokens, the provider's `iss` for its tokens. A
    // subject is unique only within its issuer (OIDC Core §5.7), so a customer is the pair (0016).
    customerIssuer: varchar("customer_issuer", { length: 255 }).notNull(),
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
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    // As on orders: the caller (issuer and subject) keys the record.
    customerSubject: varchar("customer_subject", { length: 255 }).notNull(),
    customerIssuer: varchar("customer_issuer", { length: 255 }).notNull(),
    key: varchar("key", { length: 255 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    orderSnapshot: text("order_snapshot"),
    createdAt: timestamptz("created_at").notNull().default(sql`now()`),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ name: "idempotency_keys_issuer_pkey", columns: [t.customerIssuer, t.customerSubject, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);

/**
 * The transactional outbox and the events feed: one row per change, written by the statement that
 * makes the change. An order's currency, items, totals, customer and creation time never change, so
 * an event keeps only what does (status, version, the time of the change) and is rendered with the
 * order's row: exactly the order as it was at that version. `dispatched_at` is set when the event
 * has been fanned out to its webhook endpoints; the sweep hands over any left without it, and claims
 * each one it hands over (`swept_at`), so sweeps running at once never hand over the same event.
 */
export const orderEvents = pgTable(
  "order_events",
  {
    id: uuid("id").primaryKey(),
    type: varchar("type", { length: 40 }).notNull(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    customerSubject: varchar("customer_subject", { length: 255 }).notNull(),
    customerIssuer: varchar("customer_issuer", { length: 255 }).notNull(),
    orderVersion: integer("order_version").notNull(),
    status: orderStatus("status").notNull(),
    previousStatus: orderStatus("previous_status"),
    requestId: varchar("request_id", { length: 255 }),
    // The request's W3C trace context, carried onto the event's queue messages and webhook deliveries.
    traceparent: varchar("traceparent", { length: 55 }),
    tracestate: varchar("tracestate", { length: 512 }),
    createdAt: timestamptz("created_at").notNull(),
    dispatchedAt: timestamptz("dispatched_at"),
    sweptAt: timestamptz("swept_at"),
    // The writing transaction's id: the forward feed's order, which no event can be committed behind
    // once every transaction before it has finished (pg_snapshot_xmin). Null for events before 0013.
    txid: xid8("txid").default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index("order_events_created_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("order_events_subject_created_idx").on(
      t.customerSubject,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("order_events_order_created_idx").on(t.orderId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The forward feed's order: commit order first (0 for events from before 0013), then time and id.
    index("order_events_commit_order_idx").on(sql`coalesce(${t.txid}, '0'::xid8)`, t.createdAt, t.id),
    // The sweep's question, "what is older than a minute and not handed over", reads only those rows.
    index("order_events_undispatched_idx").on(t.createdAt).where(sql`${t.dispatchedAt} IS NULL`),
    check("order_events_type", sql`${t.type} IN ('order.created', 'order.status_changed')`),
  ],
);

/**
 * Where events are delivered. `secret` is the signing secret sealed with WEBHOOK_ENCRYPTION_KEY
 * (AES-GCM): the database never holds it in clear. `previous_secrets` holds the secrets before it, each
 * signing until its `expires_at` (24 h after the rotation that retired it), newest first; `previous_secret`
 * and its expiry repeat the newest of them for the version before 0015, until a release removes them.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey(),
    url: varchar("url", { length: 2048 }).notNull(),
    description: varchar("description", { length: 500 }),
    events: text("events").array().notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamptz("previous_secret_expires_at"),
    previousSecrets: jsonb("previous_secrets").$type<{ secret: string; expires_at: string }[]>(),
    disabled: boolean("disabled").notNull().default(false),
    disabledReason: varchar("disabled_reason", { length: 255 }),
    // The first failed attempt since the last delivered one: 5 days of nothing but failures disable it.
    failingSince: timestamptz("failing_since"),
    // Since when its receiver has been too slow for the fast lane: its deliveries go to the slow lane.
    slowSince: timestamptz("slow_since"),
    version: integer("version").notNull().default(1),
    createdAt: timestamptz("created_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_created_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
);

/** One row per attempt to deliver an event to an endpoint: what the deliveries listing shows. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: uuid("id").primaryKey(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    // Null for a test send (`webhook.test`, 0019): it delivers no stored event.
    eventId: uuid("event_id").references(() => orderEvents.id, { onDelete: "cascade" }),
    eventType: varchar("event_type", { length: 40 }).notNull(),
    attempt: integer("attempt").notNull(),
    outcome: varchar("outcome", { length: 16 }).notNull(),
    statusCode: smallint("status_code"),
    error: varchar("error", { length: 255 }),
    durationMs: integer("duration_ms").notNull(),
    attemptedAt: timestamptz("attempted_at").notNull(),
    nextAttemptAt: timestamptz("next_attempt_at"),
  },
  (t) => [
    index("webhook_attempts_endpoint_idx").on(
      t.endpointId,
      t.attemptedAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("webhook_attempts_event_idx").on(t.eventId),
    check("webhook_attempts_outcome", sql`${t.outcome} IN ('delivered', 'retrying', 'failed', 'disabled', 'skipped')`),
  ],
);
