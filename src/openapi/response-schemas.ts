import * as z from "zod/mini";
import { ERROR_CODES } from "../domain/app-error";
import { CURRENCIES, ORDER_STATUSES } from "../domain/order";
import { ORDER_EVENT_TYPES } from "../domain/order-event";
import { TEST_EVENT_TYPE } from "../domain/webhook-endpoint";
import type { EventJson } from "../handlers/event-json";
import type { OrderJson } from "../handlers/order-json";
import type { AttemptJson, EndpointJson, RecoveryJson, TestEventJson } from "../handlers/webhook-json";

/**
 * What the API answers, as zod schemas: they document the responses in /openapi.json and the
 * contract tests check real answers against them. Never imported by the worker at run time.
 */
export const orderItem = z.strictObject({
  sku: z.string(),
  quantity: z.int().check(z.minimum(1)),
  unit_price: z.int().check(z.minimum(0)),
  line_total: z.int().check(z.minimum(0)),
});

/** Typed as what `orderJson` renders: a field it renders and this lacks does not compile. */
export const order: z.ZodMiniType<OrderJson> = z.strictObject({
  id: z.uuid(),
  // The token subject the order belongs to, within its issuer: a UUID with this service's own tokens, an
  // identity provider's subject (`auth0|…`) as written when its tokens are accepted (docs/API.md, "Auth").
  customer_id: z.string().check(z.minLength(1), z.maxLength(255)),
  status: z.enum(ORDER_STATUSES),
  currency: z.enum(CURRENCIES),
  items: z.optional(z.array(orderItem)),
  item_count: z.int().check(z.minimum(1), z.maximum(100)),
  total: z.int().check(z.minimum(0)),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const orderEnvelope = z.strictObject({ data: order });

export const orderPage = z.strictObject({
  data: z.array(order),
  page: z.strictObject({
    limit: z.int().check(z.minimum(1), z.maximum(100)),
    next_cursor: z.nullable(z.string()),
  }),
});

/** Typed as what `eventJson` renders: the feed's items and the webhooks' payloads alike. */
export const event: z.ZodMiniType<EventJson> = z.strictObject({
  id: z.uuid(),
  type: z.enum(ORDER_EVENT_TYPES),
  timestamp: z.iso.datetime(),
  request_id: z.nullable(z.string()),
  data: z.strictObject({
    order_id: z.uuid(),
    order_version: z.int().check(z.minimum(1)),
    previous_status: z.optional(z.enum(ORDER_STATUSES)),
    status: z.optional(z.enum(ORDER_STATUSES)),
    order,
  }),
});

export const eventEnvelope = z.strictObject({ data: event });

export const eventPage = z.strictObject({
  data: z.array(event),
  page: z.strictObject({
    limit: z.int().check(z.minimum(1), z.maximum(100)),
    next_cursor: z.nullable(z.string()),
  }),
});

const pageInfo = z.strictObject({
  limit: z.int().check(z.minimum(1), z.maximum(100)),
  next_cursor: z.nullable(z.string()),
});

/** Typed as what `endpointJson` renders. */
const endpointShape = {
  id: z.uuid(),
  url: z.string(),
  description: z.nullable(z.string()),
  events: z.array(z.enum(ORDER_EVENT_TYPES)),
  disabled: z.boolean(),
  disabled_reason: z.nullable(z.string()),
  slow_since: z.nullable(z.iso.datetime()),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
};
export const webhookEndpoint: z.ZodMiniType<EndpointJson> = z.strictObject(endpointShape);

export const webhookEndpointEnvelope = z.strictObject({ data: webhookEndpoint });

export const webhookEndpointWithSecretEnvelope = z.strictObject({
  data: z.strictObject({
    ...endpointShape,
    /** The signing secret, shown in this answer only. */
    secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)),
  }),
});

export const webhookEndpointPage = z.strictObject({ data: z.array(webhookEndpoint), page: pageInfo });

/** Typed as what `attemptJson` renders. */
export const deliveryAttempt: z.ZodMiniType<AttemptJson> = z.strictObject({
  id: z.uuid(),
  // Null, with event_type webhook.test, for a test send.
  event_id: z.nullable(z.uuid()),
  event_type: z.enum([...ORDER_EVENT_TYPES, TEST_EVENT_TYPE]),
  attempt: z.int().check(z.minimum(1)),
  outcome: z.enum(["delivered", "retrying", "failed", "disabled", "skipped"]),
  status_code: z.nullable(z.int()),
  error: z.nullable(z.string()),
  duration_ms: z.int().check(z.minimum(0)),
  attempted_at: z.iso.datetime(),
  next_attempt_at: z.nullable(z.iso.datetime()),
});

export const deliveryAttemptPage = z.strictObject({ data: z.array(deliveryAttempt), page: pageInfo });

export const deliveryAttemptEnvelope = z.strictObject({ data: deliveryAttempt });

/** Typed as what `testEventJson` renders: the `webhook.test` event a test send delivers. */
export const testEvent: z.ZodMiniType<TestEventJson> = z.strictObject({
  id: z.uuid(),
  type: z.literal(TEST_EVENT_TYPE),
  timestamp: z.iso.datetime(),
  data: z.strictObject({ endpoint_id: z.uuid() }),
});

export const redeliveryEnvelope = z.strictObject({
  data: z.strictObject({ event_id: z.uuid(), endpoint_ids: z.array(z.uuid()) }),
});

/** Typed as what `recoveryJson` renders. */
export const recoveryEnvelope = z.strictObject({
  data: z.strictObject({
    endpoint_id: z.uuid(),
    since: z.iso.datetime(),
    event_ids: z.array(z.uuid()),
    more: z.boolean(),
  }) satisfies z.ZodMiniType<RecoveryJson>,
});

export const errorEnvelope = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    message: z.string(),
    request_id: z.string(),
    fields: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
    /** Facts to act on without parsing `message`: a refused status change's `current_status`. */
    details: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
  }),
});

export const health = z.strictObject({ status: z.literal("ok") });

export const readiness = z.strictObject({
  status: z.enum(["ready", "unavailable"]),
  /** `database`: ok, timeout, unavailable or circuit open; `config`: the invalid variables (misconfigured). */
  checks: z.strictObject({
    database: z.optional(z.string()),
    config: z.optional(z.string()),
    keys: z.optional(z.string()),
    webhooks: z.optional(z.string()),
  }),
});
