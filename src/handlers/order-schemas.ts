import * as z from "zod/mini";
import { CURRENCIES, LIMITS, ORDER_STATUSES } from "../domain/order";
import { VISIBLE_TOKEN } from "../lib/visible-token";

/**
 * The request schemas: they validate, and (through zod's JSON Schema output) document the API.
 * zod/mini keeps the worker small: same validation as classic zod at a fraction of the bundle.
 */
export const orderItemInput = z.strictObject({
  sku: z.string().check(z.minLength(1), z.maxLength(LIMITS.skuLength), z.regex(/^[A-Za-z0-9._-]+$/)),
  quantity: z.int().check(z.minimum(1), z.maximum(LIMITS.quantity)),
  unit_price: z.int().check(z.minimum(0), z.maximum(LIMITS.unitPrice)),
});

export const createOrderBody = z.strictObject({
  currency: z.enum(CURRENCIES),
  items: z.array(orderItemInput).check(z.minLength(1), z.maxLength(LIMITS.itemsPerOrder)),
  customer_id: z.optional(z.uuid()),
});

/** Only the forward moves an admin makes by hand; cancelling has its own endpoint. */
export const setStatusBody = z.strictObject({
  status: z.enum(["paid", "shipped"]),
});

/** Cancel takes no fields: a body, if sent, must be well-formed JSON and empty (`{}`). */
export const cancelBody = z.strictObject({});

export const orderIdParam = z.strictObject({ id: z.uuid() });

export const limitParam = z.pipe(
  z.string().check(z.regex(/^\d{1,3}$/)),
  z.pipe(z.transform(Number), z.int().check(z.minimum(1), z.maximum(100))),
);

export const cursorParam = z.string().check(z.minLength(1), z.maxLength(512));

export const listOrdersQuery = z.strictObject({
  limit: z.optional(limitParam),
  cursor: z.optional(cursorParam),
  status: z.optional(z.enum(ORDER_STATUSES)),
  include: z.optional(z.literal("items")),
  customer_id: z.optional(z.uuid()),
});

/** A subject as identity providers name them (`auth0|…`, `user_2ab…`, UUIDs): 1–255 visible ASCII characters. */
const subject = z
  .string()
  .check(z.regex(VISIBLE_TOKEN, "must be 1–255 visible ASCII characters"))
  .register(z.globalRegistry, {
    description:
      "The customer's token subject, within the issuer of the caller's token: a UUID where only this service's tokens are taken (JWT_MODES=hs256); any 1–255 visible ASCII characters where an identity provider's are (jwks), compared exactly as written.",
  });

/**
 * The same bodies and queries where `customer_id` names any token subject: a deployment that takes an
 * identity provider's tokens (JWT_MODES with jwks). With this service's own tokens only, it is a UUID.
 */
export const createOrderBodyOfSubjects = z.extend(createOrderBody, { customer_id: z.optional(subject) });
export const listOrdersQueryOfSubjects = z.extend(listOrdersQuery, { customer_id: z.optional(subject) });

/** RFC-style token of visible ASCII, 1–255 characters. */
export const idempotencyKeyHeader = z.string().check(z.regex(VISIBLE_TOKEN));
