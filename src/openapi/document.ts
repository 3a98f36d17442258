import * as z from "zod/mini";
import { ERROR_CODES, type ErrorCode } from "../domain/app-error";
import { cancelBody, createOrderBody, listOrdersQuery, orderIdParam, setStatusBody } from "../handlers/order-schemas";
import * as responses from "./response-schemas";

type Json = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema, as clients send it (`io: "input"`). */
function schemaOf(schema: z.ZodMiniType, io: "input" | "output" = "output"): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

const HEADERS: Record<string, { description: string; schema: Json }> = {
  "X-Request-Id": {
    description: "Your id when it is 1–255 characters of [A-Za-z0-9_=-], else a new UUID. In every log line.",
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'Quota per window for each limit that applied, e.g. `"ip";q=300;w=60, "user";q=100;w=60`.',
    schema: { type: "string" },
  },
  RateLimit: {
    description: 'Remaining requests and seconds until the quota is back, e.g. `"ip";r=299;t=1`.',
    schema: { type: "string" },
  },
  "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer", minimum: 1 } },
  Allow: { description: "The methods this path supports.", schema: { type: "string" } },
  ETag: { description: 'Strong entity tag of the order\'s version, e.g. `"v3"`.', schema: { type: "string" } },
  Location: { description: "The new order's URL.", schema: { type: "string" } },
  "Idempotent-Replayed": {
    description: "Present (`true`) when this is the stored answer to an earlier request with the same Idempotency-Key.",
    schema: { type: "string", enum: ["true"] },
  },
  "WWW-Authenticate": { description: "The Bearer challenge.", schema: { type: "string" } },
  "Server-Timing": { description: "`app;dur=<ms>, db;dur=<ms>`: where the time went.", schema: { type: "string" } },
};

const COMMON_HEADERS = { "X-Request-Id": header("X-Request-Id"), "Server-Timing": header("Server-Timing") };
const LIMITED_HEADERS = {
  ...COMMON_HEADERS,
  "RateLimit-Policy": header("RateLimit-Policy"),
  RateLimit: header("RateLimit"),
};

const ERROR_HEADERS: Partial<Record<ErrorCode, Json>> = {
  METHOD_NOT_ALLOWED: { Allow: header("Allow") },
  UNAUTHORIZED: { "WWW-Authenticate": header("WWW-Authenticate") },
  RATE_LIMIT_EXCEEDED: { "Retry-After": header("Retry-After") },
  SERVICE_UNAVAILABLE: { "Retry-After": header("Retry-After") },
};

/** One response per status, listing the codes that can answer with it. */
function errorResponses(codes: ErrorCode[], limited: boolean): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes)
    byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  const out: Json = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: list.map((c) => `${c}: ${ERROR_CODES[c].message}`).join("; "),
      headers: Object.assign(
        {},
        limited ? LIMITED_HEADERS : COMMON_HEADERS,
        ...list.map((c) => ERROR_HEADERS[c] ?? {}),
      ),
      content: { "application/json": { schema: ref("ErrorEnvelope") } },
    };
  }
  return out;
}

const ALWAYS: ErrorCode[] = ["METHOD_NOT_ALLOWED", "NOT_IMPLEMENTED", "INTERNAL_ERROR", "TIMEOUT"];
const LIMITED: ErrorCode[] = [...ALWAYS, "RATE_LIMIT_EXCEEDED"];
const SIGNED_IN: ErrorCode[] = [...LIMITED, "UNAUTHORIZED", "SERVICE_UNAVAILABLE", "EXTERNAL_SERVICE_ERROR"];
const WITH_BODY: ErrorCode[] = [...SIGNED_IN, "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"];

const json = (schema: Json, description: string, headers: Json = COMMON_HEADERS) => ({
  description,
  headers,
  content: { "application/json": { schema } },
});

/** Query or path parameters from a zod object, each with its own schema. */
function parameters(schema: z.ZodMiniObject, where: "query" | "path"): Json[] {
  const objectSchema = schemaOf(schema, "input") as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(objectSchema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (objectSchema.required ?? []).includes(name),
    schema: s,
  }));
}

const idParam = parameters(orderIdParam, "path");

/** A public GET that serves a fixed document (the API's own docs). */
const staticGet = (summary: string, operationId: string, type: string, schema: Json = { type: "string" }) => ({
  get: {
    tags: ["operations"],
    summary,
    operationId,
    responses: { "200": { description: summary, content: { [type]: { schema } } }, ...errorResponses(LIMITED, true) },
  },
});
const bearer = [{ bearerAuth: [] }];

/** The OpenAPI 3.1 document, built from the schemas that validate requests. */
export function buildOpenApiDocument(): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "order-service",
      version: "1.0.0",
      description:
        "Orders API on Cloudflare Workers. Every body is JSON; errors use one envelope with a stable `code`. " +
        "Money is integer minor units, timestamps RFC 3339 UTC, ids UUIDs.",
    },
    servers: [{ url: "/" }],
    security: [],
    tags: [{ name: "orders" }, { name: "operations" }],
    paths: {
      "/healthz": {
        get: {
          tags: ["operations"],
          summary: "Liveness: the process answers (touches no dependency)",
          operationId: "healthz",
          responses: { "200": json(ref("Health"), "alive"), ...errorResponses(ALWAYS, false) },
        },
      },
      "/readyz": {
        get: {
          tags: ["operations"],
          summary: "Readiness: the database answers SELECT 1 within 2 s",
          operationId: "readyz",
          responses: {
            "200": json(ref("Readiness"), "ready"),
            "503": json(ref("Readiness"), "not ready; `checks.database` says why", {
              ...COMMON_HEADERS,
              "Retry-After": header("Retry-After"),
            }),
            ...errorResponses(ALWAYS, false),
          },
        },
      },
      "/metrics": {
        get: {
          tags: ["operations"],
          summary: "Prometheus metrics of this isolate",
          operationId: "metrics",
          security: [{ metricsToken: [] }],
          responses: {
            "200": {
              description: "Prometheus text exposition",
              content: { "text/plain": { schema: { type: "string" } } },
            },
            ...errorResponses([...LIMITED, "FORBIDDEN", "NOT_FOUND"], true),
          },
        },
      },
      "/openapi.json": staticGet("This document", "openapi", "application/json", { type: "object" }),
      "/docs": staticGet("Interactive API reference (HTML)", "docs", "text/html"),
      "/docs/scalar.js": staticGet(
        "The reference page's script (served by this worker, no other host)",
        "docsScript",
        "text/javascript",
      ),
      "/v1/orders": {
        post: {
          tags: ["orders"],
          summary: "Create an order",
          operationId: "createOrder",
          security: bearer,
          parameters: [{ $ref: "#/components/parameters/IdempotencyKey" }],
          requestBody: { required: true, content: { "application/json": { schema: ref("CreateOrder") } } },
          responses: {
            "201": json(ref("OrderEnvelope"), "created (or replayed, with Idempotent-Replayed: true)", {
              ...LIMITED_HEADERS,
              Location: header("Location"),
              ETag: header("ETag"),
              "Idempotent-Replayed": header("Idempotent-Replayed"),
            }),
            ...errorResponses([...WITH_BODY, "FORBIDDEN", "CONFLICT", "IDEMPOTENCY_KEY_REUSED"], true),
          },
        },
        get: {
          tags: ["orders"],
          summary: "List orders, newest first (keyset pagination)",
          operationId: "listOrders",
          security: bearer,
          parameters: parameters(listOrdersQuery, "query"),
          responses: {
            "200": json(ref("OrderPage"), "a page of orders", LIMITED_HEADERS),
            ...errorResponses([...SIGNED_IN, "FORBIDDEN", "VALIDATION_ERROR"], true),
          },
        },
      },
      "/v1/orders/{id}": {
        get: {
          tags: ["orders"],
          summary: "Get an order with its items",
          operationId: "getOrder",
          security: bearer,
          parameters: idParam,
          responses: {
            "200": json(ref("OrderEnvelope"), "the order", { ...LIMITED_HEADERS, ETag: header("ETag") }),
            ...errorResponses([...SIGNED_IN, "VALIDATION_ERROR", "NOT_FOUND"], true),
          },
        },
        patch: {
          tags: ["orders"],
          summary: "Move an order to paid or shipped (admins)",
          operationId: "setOrderStatus",
          security: bearer,
          parameters: [...idParam, { $ref: "#/components/parameters/IfMatch" }],
          requestBody: { required: true, content: { "application/json": { schema: ref("SetStatus") } } },
          responses: {
            "200": json(ref("OrderEnvelope"), "the changed order", { ...LIMITED_HEADERS, ETag: header("ETag") }),
            ...errorResponses([...WITH_BODY, "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED"], true),
          },
        },
      },
      "/v1/orders/{id}/cancel": {
        post: {
          tags: ["orders"],
          summary: "Cancel a pending or paid order",
          operationId: "cancelOrder",
          security: bearer,
          parameters: idParam,
          requestBody: { required: false, content: { "application/json": { schema: ref("CancelOrder") } } },
          responses: {
            "200": json(ref("OrderEnvelope"), "the cancelled order", { ...LIMITED_HEADERS, ETag: header("ETag") }),
            ...errorResponses([...WITH_BODY, "NOT_FOUND", "CONFLICT"], true),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "HS256; `sub` is the customer id (UUID), `role` is customer (default) or admin; `exp` required.",
        },
        metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN" },
      },
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "1–255 visible ASCII characters, scoped to the caller, kept 24 h. The same key and body replays the stored answer.",
          schema: { type: "string", pattern: "^[\\x21-\\x7E]{1,255}$" },
        },
        IfMatch: {
          name: "If-Match",
          in: "header",
          required: false,
          description: 'Only change the order if its ETag is this one (`"v3"`) or `*`.',
          schema: { type: "string" },
        },
      },
      headers: HEADERS,
      schemas: {
        CreateOrder: schemaOf(createOrderBody, "input"),
        SetStatus: schemaOf(setStatusBody, "input"),
        CancelOrder: schemaOf(cancelBody, "input"),
        Order: schemaOf(responses.order),
        OrderEnvelope: schemaOf(responses.orderEnvelope),
        OrderPage: schemaOf(responses.orderPage),
        ErrorEnvelope: schemaOf(responses.errorEnvelope),
        Health: schemaOf(responses.health),
        Readiness: schemaOf(responses.readiness),
      },
    },
  };
}
