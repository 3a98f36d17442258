import type { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { ERROR_CODES, type ErrorCode } from "../domain/app-error";
import { isTimedRoute } from "../handlers/route-policy";
import { VISIBLE_TOKEN } from "../lib/visible-token";
import * as responses from "./response-schemas";
import {
  type DocumentedHeader,
  type ResponseSchemaName,
  type RouteDoc,
  routeDocOf,
  type ValidatedPart,
  validatedPartOf,
} from "./route-doc";

type Json = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema. */
function schemaOf(schema: z.ZodMiniType, io: "input" | "output"): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

/**
 * Named schemas as components, nested ones by `$ref` (an Order is one component, not a copy in
 * every envelope), so generators make one class per concept.
 */
function componentSchemas(named: Record<string, z.ZodMiniType>, io: "input" | "output"): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

const HEADERS: Record<string, { description: string; required?: boolean; schema: Json }> = {
  "X-Request-Id": {
    description: "Your id when it is 1–255 characters of [A-Za-z0-9_=-], else a new UUID. In every log line.",
    required: true,
    schema: { type: "string" },
  },
  "Server-Timing": {
    description:
      '`db;dur=<ms>;desc="<n> calls",total;dur=<ms>;desc="app"` (`db` only when the database was called): ' +
      "where the time went. On the routes that wait on the database; Workers clocks advance only across I/O.",
    required: true,
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description:
      'Quota per window for each limit that applied, e.g. `"ip";q=300;w=60, "user";q=100;w=60`. ' +
      "Absent only while the limiter is unreachable (it fails open).",
    schema: { type: "string" },
  },
  RateLimit: {
    description:
      'On a 429: none left, for at most the period in seconds, e.g. `"ip";r=0;t=60`. Absent on allowed answers: ' +
      "the Rate Limiting binding says whether a request is within the budget, not how much is left.",
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    required: true,
    schema: { type: "integer", minimum: 1 },
  },
  Allow: { description: "The methods this path supports.", required: true, schema: { type: "string" } },
  ETag: {
    description: 'Strong entity tag of the order\'s version, e.g. `"v3"`, for `If-Match`.',
    required: true,
    schema: { type: "string", pattern: '^"v[1-9][0-9]*"$' },
  },
  Location: { description: "The order's URL.", required: true, schema: { type: "string" } },
  "Idempotent-Replayed": {
    description: "Present (`true`) when this is the stored answer to an earlier request with the same Idempotency-Key.",
    schema: { type: "string", enum: ["true"] },
  },
  "WWW-Authenticate": {
    description: 'The Bearer challenge (RFC 6750), with `error="invalid_token"` when a token was sent.',
    required: true,
    schema: { type: "string" },
  },
};

const COMMON_HEADERS = { "X-Request-Id": header("X-Request-Id") };
const LIMITED_HEADERS = {
  ...COMMON_HEADERS,
  "RateLimit-Policy": header("RateLimit-Policy"),
  RateLimit: header("RateLimit"),
};
const TIMED_HEADERS = { "Server-Timing": header("Server-Timing") };

/** The headers every answer of an operation carries: its limits, and Server-Timing where it is on. */
const baseHeaders = (limited: boolean, timed: boolean): Json => ({
  ...(limited ? LIMITED_HEADERS : COMMON_HEADERS),
  ...(timed ? TIMED_HEADERS : {}),
});

const ERROR_HEADERS: Partial<Record<ErrorCode, Json>> = {
  METHOD_NOT_ALLOWED: { Allow: header("Allow") },
  UNAUTHORIZED: { "WWW-Authenticate": header("WWW-Authenticate") },
  RATE_LIMIT_EXCEEDED: { "Retry-After": header("Retry-After") },
};

const OPTIONAL_RETRY_AFTER = {
  description: "Seconds to wait before trying again; absent on OUTCOME_UNKNOWN, which must not be retried blindly.",
  schema: { type: "integer", minimum: 1 },
};

/** One response per status, listing the codes that can answer with it. */
function errorResponses(codes: readonly ErrorCode[], limited: boolean, timed: boolean): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Json = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const base = baseHeaders(limited, timed);
    const specific = list.map((c) => ERROR_HEADERS[c] ?? {});
    // A 503 says when to come back, except OUTCOME_UNKNOWN: a blind retry could apply a write twice.
    const retryAfter = list.includes("OUTCOME_UNKNOWN") ? OPTIONAL_RETRY_AFTER : header("Retry-After");
    const retry = status === 503 ? { "Retry-After": retryAfter } : {};
    out[String(status)] = {
      description: list.map((c) => `${c}: ${ERROR_CODES[c].message}`).join("; "),
      headers: Object.assign({}, base, retry, ...(list.length === 1 ? specific : [])),
      content: { "application/json": { schema: ref("ErrorEnvelope") } },
    };
  }
  return out;
}

/** Query or path parameters from a zod object, as the values they stand for (`limit` is an integer). */
function parameters(schema: z.ZodMiniObject, where: "query" | "path"): Json[] {
  const objectSchema = schemaOf(schema, "output") as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(objectSchema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (objectSchema.required ?? []).includes(name),
    schema: s,
  }));
}

function responseHeaders(
  doc: RouteDoc,
  timed: boolean,
  required: DocumentedHeader[] = [],
  optional: DocumentedHeader[] = [],
): Json {
  const headers = baseHeaders(doc.limited, timed);
  for (const name of required) headers[name] = header(name);
  for (const name of optional) headers[name] = header(name);
  return headers;
}

const contentOf = (r: RouteDoc["responses"][number]): Json =>
  r.mediaType
    ? { [r.mediaType]: { schema: { type: "string" } } }
    : { "application/json": { schema: ref(r.schema ?? "missing") } };

/** A route as the document describes it: its description, and the schemas its validators hold requests to. */
interface DescribedRoute {
  method: string;
  path: string;
  doc: RouteDoc;
  validates: Partial<Record<ValidatedPart["target"], z.ZodMiniType>>;
}

function operationOf({ doc, path, validates }: DescribedRoute): Json {
  const timed = isTimedRoute(path);
  const params = [
    ...(validates.param ? parameters(validates.param as z.ZodMiniObject, "path") : []),
    ...(validates.query ? parameters(validates.query as z.ZodMiniObject, "query") : []),
    ...(doc.headers ?? []).map((name) => ({ $ref: `#/components/parameters/${name}` })),
  ];
  const successes = Object.fromEntries(
    Object.entries(doc.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        headers: responseHeaders(doc, timed, r.headers, r.optionalHeaders),
        ...(r.noContent ? {} : { content: contentOf(r) }),
      },
    ]),
  );
  return {
    tags: [doc.tag],
    summary: doc.summary,
    description: doc.description,
    operationId: doc.operationId,
    ...(doc.security === "bearer" ? { security: [{ bearerAuth: [] }] } : {}),
    ...(doc.security === "metrics" ? { security: [{ metricsToken: [] }] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: doc.body.required,
            content: { "application/json": { schema: ref(doc.body.name) } },
          },
        }
      : {}),
    responses: { ...successes, ...errorResponses(doc.errors, doc.limited, timed) },
  };
}

/**
 * The app's routes with their descriptions and validators, in registration order (each middleware of a
 * route is an entry of the route table); a route without a description is an error.
 */
function describedRoutes(app: Hono<AppEnv>): DescribedRoute[] {
  const byOperation = new Map<string, Omit<DescribedRoute, "doc"> & { doc?: RouteDoc }>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const key = `${route.method} ${path}`;
    const entry = byOperation.get(key) ?? { method: route.method.toLowerCase(), path, validates: {} };
    entry.doc ??= routeDocOf(route.handler);
    const part = validatedPartOf(route.handler);
    if (part) entry.validates[part.target] = part.schema;
    byOperation.set(key, entry);
  }
  const missing = [...byOperation].filter(([, e]) => !e.doc).map(([key]) => key);
  if (missing.length > 0) throw new Error(`routes without documentRoute(): ${missing.join(", ")}`);
  return [...byOperation.values()] as DescribedRoute[];
}

const RESPONSE_SCHEMAS: Record<ResponseSchemaName, z.ZodMiniType> = {
  Order: responses.order,
  OrderEnvelope: responses.orderEnvelope,
  OrderPage: responses.orderPage,
  Event: responses.event,
  EventEnvelope: responses.eventEnvelope,
  EventPage: responses.eventPage,
  WebhookEndpoint: responses.webhookEndpoint,
  WebhookEndpointEnvelope: responses.webhookEndpointEnvelope,
  WebhookEndpointWithSecretEnvelope: responses.webhookEndpointWithSecretEnvelope,
  WebhookEndpointPage: responses.webhookEndpointPage,
  DeliveryAttempt: responses.deliveryAttempt,
  DeliveryAttemptPage: responses.deliveryAttemptPage,
  DeliveryAttemptEnvelope: responses.deliveryAttemptEnvelope,
  TestEvent: responses.testEvent,
  RedeliveryEnvelope: responses.redeliveryEnvelope,
  RecoveryEnvelope: responses.recoveryEnvelope,
  ErrorEnvelope: responses.errorEnvelope,
  Health: responses.health,
  Readiness: responses.readiness,
};

/** The Standard Webhooks headers every delivery carries (docs/API.md, "Webhooks"). */
const DELIVERY_HEADERS = [
  ["webhook-id", "The event's id: the same on every attempt and redelivery. Drop an id you have seen."],
  ["webhook-timestamp", "Seconds since the epoch when this attempt was signed. Refuse one far from your clock."],
  [
    "webhook-signature",
    "`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with the endpoint's secret; two, " +
      "space-separated, for 24 h after a rotation. Verify with any Standard Webhooks library.",
  ],
].map(([name, description]) => ({ name, in: "header", required: true, description, schema: { type: "string" } }));

/** What a receiver gets: one POST per event type, answered 2xx to acknowledge (410 unsubscribes). */
const WEBHOOKS = {
  ...Object.fromEntries(
    [
      ["order.created", "An order was created."],
      ["order.status_changed", "An order's status changed (paid, shipped, cancelled)."],
    ].map(([type, summary]) => [
      type,
      {
        post: {
          summary,
          description:
            "At least once, possibly out of order: use `id` to drop repeats and `data.order_version` to drop stale ones.",
          parameters: DELIVERY_HEADERS,
          requestBody: { required: true, content: { "application/json": { schema: ref("Event") } } },
          responses: {
            "2XX": { description: "received" },
            "410": { description: "gone: the endpoint is disabled and receives nothing more" },
            default: { description: "anything else (or no answer in 15 s): retried for about three days" },
          },
        },
      },
    ]),
  ),
  "webhook.test": {
    post: {
      summary: "An admin tested the endpoint (POST /v1/webhook-endpoints/{id}/test).",
      description:
        "Sent once, to this endpoint only, signed as every delivery; no order is involved. Verify it, answer " +
        "2xx, and otherwise ignore it.",
      parameters: DELIVERY_HEADERS,
      requestBody: { required: true, content: { "application/json": { schema: ref("TestEvent") } } },
      responses: {
        "2XX": { description: "received: the test is recorded as delivered" },
        default: { description: "anything else (or no answer in 15 s): recorded as failed, never retried" },
      },
    },
  },
};

/** The security schemes and request headers the operations refer to by name. */
const COMPONENTS = {
  securitySchemes: {
    bearerAuth: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description:
        "HS256; `sub` is the customer id (UUID), `role` is customer (default) or admin; `exp` required, " +
        "at most a day after `iat`.",
    },
    metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN" },
  },
  parameters: {
    IdempotencyKey: {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "1–255 visible ASCII characters, scoped to the caller, kept 24 h. The same key and body replays the first answer.",
      schema: { type: "string", pattern: VISIBLE_TOKEN.source },
    },
    IfMatch: {
      name: "If-Match",
      in: "header",
      required: false,
      description: 'Only change the order if its ETag is this one (`"v3"`) or `*`.',
      schema: { type: "string" },
    },
  },
};

/**
 * The OpenAPI 3.1 document of an app, from its own route table: every route carries its
 * description (`documentRoute`), and its schemas are the ones that validate requests.
 */
export function buildOpenApiDocument(app: Hono<AppEnv>): Json {
  const routes = describedRoutes(app);
  const paths: Record<string, Json> = {};
  const requestSchemas: Record<string, z.ZodMiniType> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(route) };
    const body = route.validates.json;
    if (route.doc.body && body) requestSchemas[route.doc.body.name] = body;
    if (Boolean(route.doc.body) !== Boolean(body)) {
      throw new Error(`${route.method.toUpperCase()} ${route.path}: a body is named only with a JSON validator`);
    }
  }
  const schemas = { ...componentSchemas(requestSchemas, "input"), ...componentSchemas(RESPONSE_SCHEMAS, "output") };
  const referenced = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
  for (const name of referenced.map((r) => r.split("/").at(-1) ?? "")) {
    if (!(name in schemas)) throw new Error(`a route refers to an unknown schema: ${name}`);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "order-service",
      version: "1.0.0",
      description:
        "Orders API on Cloudflare Workers. Every body is JSON; errors use one envelope with a stable `code`. " +
        "Money is integer minor units, timestamps RFC 3339 UTC, ids UUIDs. The behaviour behind each " +
        "operation (order of checks, limits, idempotency) is in docs/API.md.",
      contact: { name: "order-service maintainers" },
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "the deployment serving this document" }],
    security: [],
    tags: [
      { name: "orders", description: "Create, read, list, cancel and move orders (bearer JWT)." },
      { name: "events", description: "What happened to orders: the events feed (bearer JWT)." },
      { name: "webhook endpoints", description: "Endpoints that receive events, signed; their deliveries (admins)." },
      { name: "operations", description: "Probes, metrics and this documentation." },
    ],
    paths,
    webhooks: WEBHOOKS,
    components: { ...COMPONENTS, headers: HEADERS, schemas },
  };
}
