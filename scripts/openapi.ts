/**
 * `npm run openapi`: prints the OpenAPI document of the app's own route table; the npm script writes it
 * to public/openapi.json (commit the result). Type-checked with the worker, whose code it builds.
 */
import type { AppBindings } from "../src/config/config";
import { createIsolate } from "../src/isolate";
import { buildOpenApiDocument } from "../src/openapi/document";
import { DOCUMENTED_TOKEN_SETTINGS } from "./openapi-settings";

// The app as deployed, built through the isolate root; nothing is called, so no value here is used.
const neverCalled = { limit: async () => ({ success: true }) };
const { app } = createIsolate({
  ...DOCUMENTED_TOKEN_SETTINGS,
  JWT_SECRET: "documentation-build-only-never-used-0000",
  WEBHOOK_ENCRYPTION_KEY: "documentation-build-only-never-used-0000",
  DATABASE_URL: "postgres://docs@localhost/docs",
  IP_RATE_LIMITER: neverCalled,
  USER_RATE_LIMITER: neverCalled,
} as unknown as AppBindings);
if (!app.routes.some((r) => r.path === "/v1/orders")) throw new Error("the documented app is misconfigured");
console.log(JSON.stringify(buildOpenApiDocument(app), null, 2));
