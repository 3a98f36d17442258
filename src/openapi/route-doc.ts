import type { MiddlewareHandler } from "hono";
import type * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import type { ErrorCode } from "../domain/app-error";

/**
 * The answers' schemas by component name (src/openapi/response-schemas.ts holds them, for the document
 * builder only: the worker never loads them). A name here without a schema, or a schema without one,
 * does not compile (RESPONSE_SCHEMAS in document.ts).
 */
export type ResponseSchemaName =
  | "Order"
  | "OrderEnvelope"
  | "OrderPage"
  | "Event"
  | "EventEnvelope"
  | "EventPage"
  | "WebhookEndpoint"
  | "WebhookEndpointEnvelope"
  | "WebhookEndpointWithSecretEnvelope"
  | "WebhookEndpointPage"
  | "DeliveryAttempt"
  | "DeliveryAttemptPage"
  | "DeliveryAttemptEnvelope"
  | "TestEvent"
  | "RedeliveryEnvelope"
  | "RecoveryEnvelope"
  | "ErrorEnvelope"
  | "Health"
  | "Readiness";

/** Response headers an operation documents by name (components/headers of the OpenAPI document). */
export type DocumentedHeader = "Location" | "ETag" | "Idempotent-Replayed" | "Retry-After";

export interface DocumentedResponse {
  description: string;
  /** A component of the document (`OrderEnvelope`), for JSON answers. */
  schema?: ResponseSchemaName;
  /** Anything but JSON: its media type (the schema is then a string). */
  mediaType?: string;
  /** No body at all (204). */
  noContent?: boolean;
  /** Headers this answer always carries, beyond those of every answer. */
  headers?: DocumentedHeader[];
  /** Headers it may carry. */
  optionalHeaders?: DocumentedHeader[];
}

/**
 * An operation's OpenAPI description, declared beside its route: the build-time document walks the
 * app's route table and finds it on the handler, so adding a route is one edit and the document
 * cannot list a route the app lacks (or miss one it has).
 */
export interface RouteDoc {
  operationId: string;
  tag: "orders" | "events" | "webhook endpoints" | "operations";
  summary: string;
  description: string;
  /** `bearer`: a customer or admin JWT; `metrics`: METRICS_TOKEN. */
  security?: "bearer" | "metrics";
  /** Whether the per-IP rate limit (and its headers) applies. */
  limited: boolean;
  /** Request headers (components/parameters). */
  headers?: ("IdempotencyKey" | "IfMatch")[];
  /**
   * The JSON body's component name, and whether a body is required. Its schema, and the path's and the
   * query's, are the route's own validators' (`validate()`), found beside this description.
   */
  body?: { name: string; required: boolean };
  responses: Record<number, DocumentedResponse>;
  /** The contract's error codes this operation can answer with. */
  errors: ErrorCode[];
}

/**
 * Error codes by how far a request gets: every route, rate limited, signed in. Only the signed-in
 * routes wait on a dependency (the database, the caller's limiter), so only they run under the
 * request deadline (TIMEOUT).
 */
const ALWAYS = ["METHOD_NOT_ALLOWED", "NOT_IMPLEMENTED", "INTERNAL_ERROR"] as const satisfies ErrorCode[];
const LIMITED = [...ALWAYS, "RATE_LIMIT_EXCEEDED"] as const satisfies ErrorCode[];
export const ROUTE_ERRORS = {
  always: ALWAYS,
  limited: LIMITED,
  signedIn: [...LIMITED, "UNAUTHORIZED", "TIMEOUT", "SERVICE_UNAVAILABLE", "EXTERNAL_SERVICE_ERROR"] as const,
} satisfies Record<string, readonly ErrorCode[]>;

const DOC = Symbol.for("order-service/route-doc");

/**
 * A pass-through middleware carrying its operation's description, placed right before the route's
 * handler (a wrapper around the handler would lose the types its validators give it).
 */
export function documentRoute(doc: RouteDoc): MiddlewareHandler<AppEnv> {
  const described: MiddlewareHandler<AppEnv> = (_c, next) => next();
  return Object.assign(described, { [DOC]: doc });
}

/** The description a route table entry carries, if any. */
export function routeDocOf(handler: unknown): RouteDoc | undefined {
  return (handler as { [DOC]?: RouteDoc } | null)?.[DOC];
}

/** What a validator checks: the one schema both the request and the document are held to. */
export interface ValidatedPart {
  target: "json" | "query" | "param" | "header" | "form" | "cookie";
  schema: z.ZodMiniType;
}

const VALIDATES = Symbol.for("order-service/validates");

/** Marks a validator middleware with what it validates, for the document builder. */
export function validating<M extends object>(middleware: M, part: ValidatedPart): M {
  return Object.assign(middleware, { [VALIDATES]: part });
}

/** What a route table entry validates, if it is a validator. */
export function validatedPartOf(handler: unknown): ValidatedPart | undefined {
  return (handler as { [VALIDATES]?: ValidatedPart } | null)?.[VALIDATES];
}
