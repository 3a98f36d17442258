import { ROUTE_ERRORS, type RouteDoc } from "../openapi/route-doc";

const ADMIN = [...ROUTE_ERRORS.signedIn, "FORBIDDEN"] as const;
const WITH_BODY = [...ADMIN, "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"] as const;

/** The webhook endpoints' admin API as the OpenAPI document describes it, by operationId. */
export const WEBHOOK_OPERATIONS = {
  createWebhookEndpoint: {
    operationId: "createWebhookEndpoint",
    tag: "webhook endpoints",
    summary: "Register a webhook endpoint (admins)",
    description:
      "Events of the listed types are POSTed to `url`, signed as Standard Webhooks. The answer holds the " +
      "signing `secret` (`whsec_…`): shown this once, stored encrypted, never returned again. `url` must be " +
      "https, without credentials, and not a loopback, private, link-local or metadata address or a " +
      '`localhost`-like name (docs/API.md, "Webhooks").',
    security: "bearer",
    limited: true,
    body: { name: "CreateWebhookEndpoint", required: true },
    responses: {
      201: {
        description: "registered, with its secret",
        schema: "WebhookEndpointWithSecretEnvelope",
        headers: ["Location", "ETag"],
      },
    },
    errors: [...WITH_BODY],
  },
  listWebhookEndpoints: {
    operationId: "listWebhookEndpoints",
    tag: "webhook endpoints",
    summary: "List webhook endpoints, newest first (admins)",
    description: "Keyset pagination as for orders. Never the secrets.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "a page of endpoints", schema: "WebhookEndpointPage" } },
    errors: [...ADMIN, "VALIDATION_ERROR"],
  },
  getWebhookEndpoint: {
    operationId: "getWebhookEndpoint",
    tag: "webhook endpoints",
    summary: "Get a webhook endpoint (admins)",
    description: "With its version as a strong ETag for `If-Match`. Never the secret.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "the endpoint", schema: "WebhookEndpointEnvelope", headers: ["ETag"] } },
    errors: [...ADMIN, "VALIDATION_ERROR", "NOT_FOUND"],
  },
  updateWebhookEndpoint: {
    operationId: "updateWebhookEndpoint",
    tag: "webhook endpoints",
    summary: "Change a webhook endpoint's url, events, description, or disable it (admins)",
    description:
      "`disabled: true` stops deliveries; `false` resumes them and clears `disabled_reason` (set when the " +
      "receiver answered 410 Gone). With `If-Match`, only at that version (412 otherwise).",
    security: "bearer",
    limited: true,
    headers: ["IfMatch"],
    body: { name: "UpdateWebhookEndpoint", required: true },
    responses: { 200: { description: "the changed endpoint", schema: "WebhookEndpointEnvelope", headers: ["ETag"] } },
    errors: [...WITH_BODY, "NOT_FOUND", "PRECONDITION_FAILED"],
  },
  deleteWebhookEndpoint: {
    operationId: "deleteWebhookEndpoint",
    tag: "webhook endpoints",
    summary: "Delete a webhook endpoint and its delivery history (admins)",
    description: "Deliveries still queued for it are dropped. With `If-Match`, only at that version.",
    security: "bearer",
    limited: true,
    headers: ["IfMatch"],
    responses: { 204: { description: "deleted", noContent: true } },
    errors: [...ADMIN, "VALIDATION_ERROR", "NOT_FOUND", "PRECONDITION_FAILED"],
  },
  rotateWebhookSecret: {
    operationId: "rotateWebhookSecret",
    tag: "webhook endpoints",
    summary: "Rotate a webhook endpoint's signing secret (admins)",
    description:
      "A new secret, shown this once. Each secret a rotation retires keeps signing for 24 h from it (one " +
      "signature per live secret, newest first), so a receiver switches without a moment of failed " +
      'verification; `{"expire_previous": "now"}` ends every old secret at once (a leak).',
    security: "bearer",
    limited: true,
    headers: ["IfMatch"],
    body: { name: "RotateWebhookSecret", required: false },
    responses: {
      200: {
        description: "the endpoint with its new secret",
        schema: "WebhookEndpointWithSecretEnvelope",
        headers: ["ETag"],
      },
    },
    errors: [...WITH_BODY, "NOT_FOUND", "PRECONDITION_FAILED"],
  },
  recoverWebhookEndpoint: {
    operationId: "recoverWebhookEndpoint",
    tag: "webhook endpoints",
    summary: "Send an endpoint again what it missed since a time (admins)",
    description:
      "Every event since `since` (RFC 3339), and since the endpoint was created, of the types it takes that it " +
      "has not received with a 2xx is queued for it again, oldest first, its attempts numbered on; the " +
      `receiver gets the same \`webhook-id\` as before. At most 1000 per call: \`more\` says to call again ` +
      "once these are delivered. 409 for a disabled endpoint: enable it first.",
    security: "bearer",
    limited: true,
    body: { name: "RecoverWebhookEndpoint", required: true },
    responses: { 202: { description: "queued", schema: "RecoveryEnvelope" } },
    errors: [...WITH_BODY, "NOT_FOUND", "CONFLICT"],
  },
  testWebhookEndpoint: {
    operationId: "testWebhookEndpoint",
    tag: "webhook endpoints",
    summary: "Send a test event to a webhook endpoint (admins)",
    description:
      "Sends a signed `webhook.test` event (see `webhooks`) to this endpoint alone, enabled or disabled, through " +
      "the same signing and sending as every delivery: once, never retried. The attempt is recorded in the " +
      "endpoint's deliveries (`event_id` null) and answered: `delivered` for a 2xx, `failed` otherwise, with " +
      "the status or why there was none.",
    security: "bearer",
    limited: true,
    body: { name: "TestWebhookEndpoint", required: false },
    responses: { 200: { description: "the attempt, as it went", schema: "DeliveryAttemptEnvelope" } },
    errors: [...WITH_BODY, "NOT_FOUND"],
  },
  listWebhookDeliveries: {
    operationId: "listWebhookDeliveries",
    tag: "webhook endpoints",
    summary: "Recent delivery attempts to an endpoint, newest first (admins)",
    description:
      "Each attempt: the event, its outcome (delivered, retrying, failed after the last attempt, disabled " +
      "by a 410 or 5 days of failures, skipped because the endpoint was disabled), the status code or why " +
      "there was none, how long it took, and, on an event's newest attempt only, when the next one is due; only one `outcome`, or one event's (`event_id`), when asked. Keyset pagination " +
      "as for orders, a cursor bound to its filters.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "a page of attempts", schema: "DeliveryAttemptPage" } },
    errors: [...ADMIN, "VALIDATION_ERROR", "NOT_FOUND"],
  },
} satisfies Record<string, RouteDoc>;
