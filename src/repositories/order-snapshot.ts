import * as z from "zod/mini";
import { CURRENCIES, ORDER_STATUSES, type Order } from "../domain/order";

const timestamp = z.pipe(
  z.iso.datetime(),
  z.transform((text: string) => new Date(text)),
);

/** Typed as the Order it decodes to: a field added to Order and missing here does not compile. */
const snapshotSchema: z.ZodMiniType<Order> = z.object({
  id: z.string(),
  customerId: z.string(),
  // Records written before 0016 name no issuer; a replay renders no issuer, so any value serves.
  customerIssuer: z._default(z.string(), ""),
  status: z.enum(ORDER_STATUSES),
  currency: z.enum(CURRENCIES),
  items: z.optional(
    z.array(z.object({ sku: z.string(), quantity: z.number(), unitPrice: z.number(), lineTotal: z.number() })),
  ),
  itemCount: z.number(),
  total: z.number(),
  version: z.number(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** The order as JSON text, in a fixed key order (a `text` column keeps it byte for byte, jsonb would not). */
export const encodeSnapshot = (order: Order): string => JSON.stringify(order);

/** Back to the typed order; a row this code did not write is an error, not a guess. */
export function decodeSnapshot(text: string): Order {
  return snapshotSchema.parse(JSON.parse(text));
}
