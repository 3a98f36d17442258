import { neonConfig } from "@neondatabase/serverless";
import { and, desc, eq, getTableColumns, sql } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { bigint, integer, pgTable, smallint, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { type Context, Hono } from "hono";

/** Workers' Rate Limiting binding, as its documentation gives it. */
type RateLimiter = { limit(options: { key: string }): Promise<{ success: boolean }> };
type Bindings = {
  DATABASE_URL: string;
  DATABASE_HTTP_ENDPOINT?: string;
  IP_RATE_LIMITER?: RateLimiter;
  USER_RATE_LIMITER?: RateLimiter;
};

/**
 * The stack's floor: Hono and Drizzle over the Neon driver doing the same work as each orders
 * scenario, with none of the service: no auth, validation, ownership, ETags, logging or metrics.
 * Its own table definitions, the same SQL shapes (an order with its items as one JSON array, a page
 * of 50 newest with items, an order and 10 items written in one batch), the same database and
 * injected latency, the same answer (the API's Order, docs/API.md, mapped the naive way: every row
 * and nested item to an object, then serialized), and the same two calls to the platform's Rate
 * Limiting bindings when bound (the platform's work, not the service's). What the service costs is
 * measured against this, in one run.
 */
const orders = pgTable("orders", {
  id: uuid("id").primaryKey(),
  customerSubject: varchar("customer_subject", { length: 255 }).notNull(),
  customerIssuer: varchar("customer_issuer", { length: 255 }).notNull(),
  status: text("status").notNull(),
  currency: text("currency").notNull(),
  total: bigint("total", { mode: "number" }).notNull(),
  itemCount: smallint("item_count").notNull(),
  version: integer("version").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
const orderItems = pgTable("order_items", {
  orderId: uuid("order_id").notNull(),
  position: smallint("position").notNull(),
  sku: varchar("sku", { length: 64 }).notNull(),
  quantity: integer("quantity").notNull(),
  unitPrice: bigint("unit_price", { mode: "number" }).notNull(),
  lineTotal: bigint("line_total", { mode: "number" }).notNull(),
});
const withItems = {
  ...getTableColumns(orders),
  items: sql<
    [string, number, number, number][] | null
  >`(SELECT json_agg(json_build_array(${orderItems.sku}, ${orderItems.quantity}, ${orderItems.unitPrice}, ${orderItems.lineTotal}) ORDER BY ${orderItems.position}) FROM ${orderItems} WHERE ${orderItems.orderId} = ${orders.id})`,
};

type OrderRow = typeof orders.$inferSelect & { items: [string, number, number, number][] | null };

/** The API's Order, as a handler maps a row: snake_case keys, item objects, RFC 3339 times. */
const apiOrder = (o: OrderRow) => ({
  id: o.id,
  customer_id: o.customerSubject,
  status: o.status,
  currency: o.currency,
  items: (o.items ?? []).map(([sku, quantity, unitPrice, lineTotal]) => ({
    sku,
    quantity,
    unit_price: unitPrice,
    line_total: lineTotal,
  })),
  item_count: o.itemCount,
  total: o.total,
  created_at: o.createdAt.toISOString(),
  updated_at: o.updatedAt.toISOString(),
});

const app = new Hono<{ Bindings: Bindings }>();
let db: NeonHttpDatabase | undefined;
const dbOf = (env: Bindings) => {
  if (!db) {
    if (env.DATABASE_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.DATABASE_HTTP_ENDPOINT;
    db = drizzle(env.DATABASE_URL);
  }
  return db;
};

/** The two Rate Limiting calls an orders request makes, per client and per caller. */
const limitLikeOrders = async (c: Context<{ Bindings: Bindings }>, next: () => Promise<void>) => {
  await c.env.IP_RATE_LIMITER?.limit({ key: c.req.header("CF-Connecting-IP") ?? "unknown" });
  await c.env.USER_RATE_LIMITER?.limit({ key: "caller" });
  await next();
};
app.use("/orders", limitLikeOrders);
app.use("/orders/*", limitLikeOrders);
app.get("/healthz", (c) => c.json({ status: "ok" }));
app.get("/one-query", async (c) => c.json({ rows: (await dbOf(c.env).execute(sql`SELECT 1 AS one`)).rows }));
app.get("/orders/:id", async (c) => {
  const [order] = await dbOf(c.env)
    .select(withItems)
    .from(orders)
    .where(eq(orders.id, c.req.param("id")));
  return order ? c.json({ data: apiOrder(order) }) : c.json({ error: "not found" }, 404);
});
app.get("/orders", async (c) => {
  const customerId = c.req.query("customer_id") ?? "";
  const page = await dbOf(c.env)
    .select(withItems)
    .from(orders)
    .where(and(eq(orders.customerSubject, customerId), eq(orders.customerIssuer, "")))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(51);
  return c.json({ data: page.slice(0, 50).map(apiOrder) });
});
app.post("/orders", async (c) => {
  const body = await c.req.json<{ currency: string; items: { sku: string; quantity: number; unit_price: number }[] }>();
  const id = crypto.randomUUID();
  const now = new Date();
  const items = body.items.map((i, position) => ({
    orderId: id,
    position,
    sku: i.sku,
    quantity: i.quantity,
    unitPrice: i.unit_price,
    lineTotal: i.quantity * i.unit_price,
  }));
  const total = items.reduce((sum, i) => sum + i.lineTotal, 0);
  const order = {
    id,
    customerSubject: crypto.randomUUID(),
    customerIssuer: "",
    status: "pending",
    currency: body.currency,
    total,
    itemCount: items.length,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const database = dbOf(c.env);
  await database.batch([database.insert(orders).values(order), database.insert(orderItems).values(items)]);
  return c.json(
    { data: apiOrder({ ...order, items: items.map((i) => [i.sku, i.quantity, i.unitPrice, i.lineTotal]) }) },
    201,
  );
});
export default app;
