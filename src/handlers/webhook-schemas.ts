import * as z from "zod/mini";
import { ORDER_EVENT_TYPES } from "../domain/order-event";
import { cursorParam, limitParam } from "./order-schemas";

const url = z.string().check(z.minLength(1), z.maxLength(2048));
const events = z.array(z.enum(ORDER_EVENT_TYPES)).check(z.minLength(1), z.maxLength(ORDER_EVENT_TYPES.length * 2));
const description = z.string().check(z.maxLength(500));

export const createEndpointBody = z.strictObject({ url, events, description: z.optional(description) });

/** Any of the fields; `disabled: false` enables it again (and clears why it was disabled). */
export const updateEndpointBody = z.strictObject({
  url: z.optional(url),
  events: z.optional(events),
  description: z.optional(z.nullable(description)),
  disabled: z.optional(z.boolean()),
});

/** Rotation takes no fields: a body, if sent, must be well-formed JSON and empty (`{}`). */
/** `{"expire_previous": "now"}`: every secret before the new one stops signing at once (a leak). */
export const rotateSecretBody = z.strictObject({ expire_previous: z.optional(z.literal("now")) });

/** What an endpoint missed since this instant (RFC 3339, with its offset) is sent again. */
export const recoverBody = z.strictObject({ since: z.iso.datetime({ offset: true }) });

/** A test send takes no options: no body, or `{}`. */
export const testEndpointBody = z.strictObject({});

/** To one endpoint, or (no body, `{}`) to every endpoint that takes the event. */
export const endpointIdParam = z.strictObject({ id: z.uuid() });

export const pageQuery = z.strictObject({ limit: z.optional(limitParam), cursor: z.optional(cursorParam) });

/** An endpoint's deliveries, a page at a time: all, or only those with an outcome, or of one event. */
export const deliveriesQuery = z.extend(pageQuery, {
  outcome: z.optional(z.enum(["delivered", "retrying", "failed", "disabled", "skipped"])),
  event_id: z.optional(z.uuid()),
});
