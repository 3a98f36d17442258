/**
 * The layers of src/ (docs/architecture.md, "Layers") as allow-lists: an import is an error unless a rule
 * below allows it. A file may import its own folder; each folder and top-level file is allowed the layers
 * beneath it and the packages it needs. A new folder is allowed nothing until it is given a place here,
 * so no layer can be escaped by adding one. `npm run lint:layers` (part of `npm test`) runs it.
 */
const src = (...names) =>
  names.map((name) => (name.endsWith(".ts") ? `^src/${name.replace(".", "\\.")}$` : `^src/${name}/`));
const npm = (...packages) => packages.map((name) => `^node_modules/${name}/`);
const rule = (from, to, comment) => ({ comment, from: { path: from }, to: { path: to } });

const HONO = npm("hono");
const ZOD = npm("zod");

module.exports = {
  allowed: [
    { comment: "a folder's files import each other", from: { path: "^src/([^/]+)/" }, to: { path: "^src/$1/" } },
    rule("^src/lib/", ZOD, "lib: small generic pieces, over zod alone"),
    {
      comment: "observability: the request scope's storage is the one Node module the worker has",
      from: { path: "^src/observability/" },
      to: { path: [...src("domain", "lib"), "^async_hooks$"] },
    },
    rule("^src/services/", src("domain", "lib", "observability"), "services: business rules over interfaces"),
    rule(
      "^src/repositories/",
      [...src("domain", "lib", "observability", "services"), ...npm("@neondatabase/serverless", "drizzle-orm"), ...ZOD],
      "repositories: SQL, the driver, and the service interfaces they implement",
    ),
    rule("^src/limiters/", src("domain", "lib", "observability"), "limiters: the rate limiter's port"),
    rule(
      "^src/tokens/",
      [...src("domain", "lib", "observability"), "^node_modules/hono/dist/middleware/jwt/"],
      "tokens: signatures, with hono/jwt and nothing else of Hono",
    ),
    rule("^src/webhooks/", src("domain", "lib", "observability"), "webhooks: signatures, sealing, the delivery POST"),
    rule("^src/config/", [...src("domain", "lib", "limiters", "observability"), ...ZOD], "config: one schema"),
    rule(
      "^src/middleware/",
      [...src("app-env.ts", "domain", "lib", "limiters", "observability", "services", "tokens"), ...HONO],
      "middleware",
    ),
    rule(
      "^src/handlers/",
      [
        ...src("app-env.ts", "domain", "lib", "middleware", "observability", "services", "openapi/route-doc.ts"),
        ...HONO,
        ...npm("@hono/zod-validator"),
        ...ZOD,
      ],
      "handlers: validate, call a service, shape the answer",
    ),
    rule("^src/openapi/", [...src("app-env.ts", "domain", "lib", "handlers"), ...HONO, ...ZOD], "openapi (build time)"),
    rule("^src/app-env\\.ts$", [...src("config", "domain", "observability"), ...HONO], "the one Hono env type"),
    rule(
      "^src/app\\.ts$",
      [
        ...src("app-env.ts", "config", "domain", "handlers", "lib", "limiters", "middleware", "observability"),
        ...src("services", "tokens"),
        ...HONO,
      ],
      "createApp: middleware order, routes, fallbacks",
    ),
    rule(
      "^src/consumers/",
      src("domain", "lib", "observability", "services"),
      "queue consumers: a message in, a service called, ack or retry",
    ),
    rule(
      "^src/isolate\\.ts$",
      [
        ...src("app.ts", "app-env.ts", "cron-schedule.ts", "config", "consumers", "domain", "handlers", "lib"),
        ...src("limiters", "observability", "repositories", "services", "tokens", "webhooks"),
        ...HONO,
      ],
      "the composition root",
    ),
    rule("^src/index\\.ts$", src("config", "isolate.ts"), "the Workers entry"),
    rule("^src/client\\.ts$", [...src("app.ts"), ...HONO], "the typed client: the routes' types, and hono/client"),
  ],
  allowedSeverity: "error",
  forbidden: [
    {
      name: "not-resolvable",
      comment: "an import that resolves to nothing is a typo or a missing package",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser to parse with; swc parses TypeScript.
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.d\\.ts$" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "default"],
      mainFields: ["module", "main"],
    },
  },
};
