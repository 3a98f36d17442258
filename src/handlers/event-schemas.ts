import * as z from "zod/mini";
import { ORDER_EVENT_TYPES } from "../domain/order-event";
import { cursorParam, limitParam } from "./order-schemas";

export const listEventsQuery = z.strictObject({
  limit: z.optional(limitParam),
  cursor: z.optional(cursorParam),
  type: z.optional(z.enum(ORDER_EVENT_TYPES)),
  order_id: z.optional(z.uuid()),
  order: z.optional(z.enum(["asc", "desc"])),
});

export const eventIdParam = z.strictObject({ id: z.uuid() });

/** To one endpoint (`endpoint_id`), or to every endpoint that takes the event (`{}`, or no body). */
export const redeliverBody = z.strictObject({ endpoint_id: z.optional(z.uuid()) });
