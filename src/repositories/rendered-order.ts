import { type SQL, sql } from "drizzle-orm";
import { orderItems, orders } from "./schema";

/**
 * The API's Order (docs/API.md, "Order") rendered by Postgres as JSON text, byte for byte what
 * `JSON.stringify(orderJson(order))` writes, so that a read passes it through: the driver parses one
 * string per order and nothing is mapped or serialized again (docs/benchmarks.md, "Where a list's CPU
 * goes"). The repository contract suite holds the two renderings to each other on both databases.
 *
 * `row_to_json` writes compact JSON with the columns' names as keys, in order; `json_agg` and
 * `json_build_object` add spaces, so they are not used. A `json` column is embedded as it is.
 * https://www.postgresql.org/docs/current/functions-json.html#FUNCTIONS-JSON-CREATION-TABLE
 */

/** The fields of a row, as one compact JSON object: `(SELECT r FROM (SELECT …) r)` makes the record. */
const objectOf = (fields: SQL) => sql`row_to_json((SELECT r FROM (SELECT ${fields}) r))::text`;

/**
 * RFC 3339 UTC with milliseconds, as `Date#toISOString` writes it. The columns hold milliseconds
 * (schema.ts), so `MS` is exact.
 */
const isoTime = (column: SQL) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** "orders"."<column>", qualified by hand: drizzle leaves a one-table query's columns unqualified. */
const ordersColumn = (name: string) => sql`${orders}.${sql.identifier(name)}`;

/** An order's items by position, each `{sku, quantity, unit_price, line_total}`. */
const itemsJson = sql`coalesce((
  SELECT '[' || string_agg(${objectOf(sql`i.sku, i.quantity, i.unit_price, i.line_total`)}, ',' ORDER BY i.position) || ']'
  FROM ${orderItems} i WHERE i.order_id = ${ordersColumn("id")}), '[]')::json`;

/** The order's JSON text, with its items or without them (the key is then absent). */
function orderJsonText(includeItems: boolean): SQL<string> {
  const column = ordersColumn;
  return sql<string>`${objectOf(sql`${column("id")} AS id, ${column("customer_subject")} AS customer_id,
    ${column("status")} AS status, ${column("currency")} AS currency,
    ${includeItems ? sql`${itemsJson} AS items,` : sql``}
    ${column("item_count")} AS item_count, ${column("total")} AS total,
    ${isoTime(column("created_at"))} AS created_at, ${isoTime(column("updated_at"))} AS updated_at`)}`;
}

/** What a read by id selects: the order's JSON text with its items, and its version (the ETag). */
export const renderedOrder = { version: orders.version, json: orderJsonText(true) };

/**
 * What a list selects per order, for the page built around these rows: the JSON text (named, so that the
 * page can refer to it) and its keyset position.
 */
export const listedOrder = (includeItems: boolean) => ({
  id: orders.id,
  createdAt: orders.createdAt,
  json: orderJsonText(includeItems).as("json"),
});
