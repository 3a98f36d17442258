import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { customerOf } from "../domain/caller";
import { limitBody, requireJson } from "../middleware/body-rules";
import { documentRoute } from "../openapi/route-doc";
import type { EndpointRecovery } from "../services/endpoint-recovery";
import type { WebhookEndpointService } from "../services/webhook-endpoint-service";
import type { WebhookTestSend } from "../services/webhook-test-send";
import type { CursorCodec } from "./cursor";
import { pageAnswer } from "./page-answer";
import { etagOf, expectedVersion } from "./preconditions";
import { validate } from "./validation";
import { attemptJson, endpointJson, recoveryJson } from "./webhook-json";
import { WEBHOOK_OPERATIONS as OPS } from "./webhook-operations";
import {
  createEndpointBody,
  deliveriesQuery,
  endpointIdParam,
  pageQuery,
  recoverBody,
  rotateSecretBody,
  testEndpointBody,
  updateEndpointBody,
} from "./webhook-schemas";

export interface WebhookRoutesDeps {
  service: WebhookEndpointService;
  testSend: WebhookTestSend;
  recover: EndpointRecovery;
  cursors: CursorCodec;
  authenticate: MiddlewareHandler<AppEnv>;
  limitCaller: MiddlewareHandler<AppEnv>;
  requireAdmin: MiddlewareHandler<AppEnv>;
  bodyLimitBytes: number;
}

/** A cursor scope of the caller's own for this listing. */
const listing = (c: Context<AppEnv>, name: string) => ({ caller: customerOf(c.get("caller")), listing: name });

const id = (c: Context<AppEnv>) => endpointIdParam.parse(c.req.param()).id.toLowerCase();
const ifMatch = (c: Context<AppEnv>) => expectedVersion(c.req.header("If-Match"));

/**
 * Webhook endpoints: admins only. The chain as for orders: 401 auth → 429 per caller
 * → 403 role → 413 body size → 415 content type → 400 validation.
 */
export function webhookRoutes(deps: WebhookRoutesDeps) {
  return new Hono<AppEnv>()
    .route("/", endpointRoutes(deps))
    .route("/", endpointChangeRoutes(deps))
    .route("/", deliveryRoutes(deps));
}

/** Register, list and read. */
function endpointRoutes(deps: WebhookRoutesDeps) {
  const { service, cursors, bodyLimitBytes } = deps;
  const admin = [deps.authenticate, deps.limitCaller, deps.requireAdmin] as const;
  const json = [limitBody(bodyLimitBytes), requireJson()] as const;
  return new Hono<AppEnv>()
    .post(
      "/v1/webhook-endpoints",
      ...admin,
      ...json,
      validate("json", createEndpointBody),
      documentRoute(OPS.createWebhookEndpoint),
      async (c) => {
        const { endpoint, secret } = await service.create(c.get("caller"), c.req.valid("json"));
        return c.json({ data: { ...endpointJson(endpoint), secret } }, 201, {
          Location: `/v1/webhook-endpoints/${endpoint.id}`,
          ETag: etagOf(endpoint),
        });
      },
    )
    .get(
      "/v1/webhook-endpoints",
      ...admin,
      validate("query", pageQuery),
      documentRoute(OPS.listWebhookEndpoints),
      (c) => {
        const load = (p: { limit: number }) => service.list(c.get("caller"), p);
        return pageAnswer(c, cursors, listing(c, "webhook-endpoints"), c.req.valid("query"), load, endpointJson);
      },
    )
    .get(
      "/v1/webhook-endpoints/:id",
      ...admin,
      validate("param", endpointIdParam),
      documentRoute(OPS.getWebhookEndpoint),
      async (c) => {
        const endpoint = await service.get(c.get("caller"), id(c));
        return c.json({ data: endpointJson(endpoint) }, 200, { ETag: etagOf(endpoint) });
      },
    );
}

/** Change or disable, and delete, under If-Match when sent. */
function endpointChangeRoutes(deps: WebhookRoutesDeps) {
  const { service, bodyLimitBytes } = deps;
  const admin = [deps.authenticate, deps.limitCaller, deps.requireAdmin] as const;
  const json = [limitBody(bodyLimitBytes), requireJson()] as const;
  return new Hono<AppEnv>()
    .patch(
      "/v1/webhook-endpoints/:id",
      ...admin,
      ...json,
      validate("param", endpointIdParam),
      validate("json", updateEndpointBody),
      documentRoute(OPS.updateWebhookEndpoint),
      async (c) => {
        const endpoint = await service.update(c.get("caller"), id(c), c.req.valid("json"), ifMatch(c));
        return c.json({ data: endpointJson(endpoint) }, 200, { ETag: etagOf(endpoint) });
      },
    )
    .delete(
      "/v1/webhook-endpoints/:id",
      ...admin,
      validate("param", endpointIdParam),
      documentRoute(OPS.deleteWebhookEndpoint),
      async (c) => {
        await service.remove(c.get("caller"), id(c), ifMatch(c));
        return c.body(null, 204);
      },
    );
}

/** An endpoint's secret rotation, recovery, test sends and delivery attempts. */
function deliveryRoutes(deps: WebhookRoutesDeps) {
  const { service, cursors, bodyLimitBytes } = deps;
  const admin = [deps.authenticate, deps.limitCaller, deps.requireAdmin] as const;
  const optionalJson = [limitBody(bodyLimitBytes), requireJson({ optional: true })] as const;
  return new Hono<AppEnv>()
    .post(
      "/v1/webhook-endpoints/:id/rotate-secret",
      ...admin,
      ...optionalJson,
      validate("param", endpointIdParam),
      validate("json", rotateSecretBody),
      documentRoute(OPS.rotateWebhookSecret),
      async (c) => {
        const now = c.req.valid("json").expire_previous === "now";
        const { endpoint, secret } = await service.rotateSecret(c.get("caller"), id(c), ifMatch(c), now);
        return c.json({ data: { ...endpointJson(endpoint), secret } }, 200, { ETag: etagOf(endpoint) });
      },
    )
    .post(
      "/v1/webhook-endpoints/:id/recover",
      ...admin,
      limitBody(bodyLimitBytes),
      requireJson(),
      validate("param", endpointIdParam),
      validate("json", recoverBody),
      documentRoute(OPS.recoverWebhookEndpoint),
      async (c) => {
        const since = new Date(c.req.valid("json").since);
        const recovery = await deps.recover(c.get("caller"), id(c), since);
        return c.json({ data: recoveryJson(id(c), since, recovery) }, 202);
      },
    )
    .post(
      "/v1/webhook-endpoints/:id/test",
      ...admin,
      ...optionalJson,
      validate("param", endpointIdParam),
      validate("json", testEndpointBody),
      documentRoute(OPS.testWebhookEndpoint),
      async (c) => c.json({ data: attemptJson(await deps.testSend(c.get("caller"), id(c))) }, 200),
    )
    .get(
      "/v1/webhook-endpoints/:id/deliveries",
      ...admin,
      validate("param", endpointIdParam),
      validate("query", deliveriesQuery),
      documentRoute(OPS.listWebhookDeliveries),
      (c) => {
        const endpoint = id(c);
        const query = c.req.valid("query");
        const filters = { outcome: query.outcome, eventId: query.event_id?.toLowerCase() };
        const load = (p: { limit: number }) => service.deliveries(c.get("caller"), endpoint, { ...p, ...filters });
        // A cursor is valid only for the listing (endpoint and filters) that issued it.
        const name = JSON.stringify(["deliveries", endpoint, filters.outcome ?? null, filters.eventId ?? null]);
        return pageAnswer(c, cursors, listing(c, name), query, load, attemptJson);
      },
    );
}
