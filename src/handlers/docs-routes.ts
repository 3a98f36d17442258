import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import { documentRoute, ROUTE_ERRORS, type RouteDoc } from "../openapi/route-doc";

/** The page's one inline script: it starts Scalar's reference over this worker's /openapi.json. */
export const INLINE_SCRIPT = `
Scalar.createApiReference("#app", {
  url: "/openapi.json",
  withDefaultFonts: false,
  hideClientButton: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true }
});
`;

/**
 * The page's Content-Security-Policy: scripts from this worker and the inline one by its hash (SHA-256 of
 * INLINE_SCRIPT; test/handlers/docs-routes.test.ts recomputes it), requests to this worker only, no
 * frames, no forms, no base. Scalar sets its styles inline.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self' 'sha256-k1SxDffUvYCRBwhhEI2dFMKLDsK2mNaGNWGcyt676g8='",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The API reference page: Scalar's own script, served from this worker's static assets, and
 * configured to call no other host (no remote fonts, no request proxy).
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>order-service API reference</title>
</head>
<body>
<div id="app"></div>
<script src="/docs/scalar.js"></script>
<script>${INLINE_SCRIPT}</script>
</body>
</html>
`;

/** Serves an asset of this worker (public/), or a clear 500 when the build step was skipped. */
async function asset(c: Context<AppEnv>, path: string, type: string) {
  const res = await c.env.ASSETS.fetch(new URL(path, c.req.url));
  if (!res.ok) {
    throw new AppError("INTERNAL_ERROR", {
      detail: `asset ${path} answered ${res.status}: run npm ci (prepare) or npm run openapi`,
    });
  }
  return c.body(res.body as ReadableStream, 200, { "Content-Type": type, "Cache-Control": "public, max-age=300" });
}

/** A public GET that serves one of the API's own documents. */
const documentDoc = (operationId: string, summary: string, description: string, mediaType: string): RouteDoc => ({
  operationId,
  tag: "operations",
  summary,
  description,
  limited: true,
  responses: { 200: { description: summary, mediaType } },
  errors: [...ROUTE_ERRORS.limited],
});

export function docsRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(
      "/openapi.json",
      documentRoute(
        documentDoc(
          "openapi",
          "This document",
          "OpenAPI 3.1, generated at build time from the schemas that validate requests, and served as a static asset.",
          "application/json",
        ),
      ),
      (c) => asset(c, "/openapi.json", "application/json"),
    )
    .get(
      "/docs",
      documentRoute(
        documentDoc(
          "docs",
          "Interactive API reference (HTML)",
          "Scalar's reference page over /openapi.json; it loads its script from this worker and calls no other host.",
          "text/html",
        ),
      ),
      (c) => c.html(PAGE, 200, { "Content-Security-Policy": DOCS_CSP }),
    )
    .get(
      "/docs/scalar.js",
      documentRoute(
        documentDoc(
          "docsScript",
          "The reference page's script",
          "Scalar's bundle from the npm package, copied into public/docs on install and served by this worker.",
          "text/javascript",
        ),
      ),
      (c) => asset(c, "/docs/scalar.js", "text/javascript; charset=utf-8"),
    );
}
