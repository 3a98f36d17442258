import { describe, expect, it } from "vitest";
import committed from "../../public/openapi.json";
import { DOCUMENTED_TOKEN_SETTINGS } from "../../scripts/openapi-settings";
import type { AppEnv } from "../../src/app-env";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { testApp } from "../support/test-app";

describe("the OpenAPI document", () => {
  it("is the one the route table generates now (run `npm run openapi` after changing it, and commit)", () => {
    const documented = testApp({ env: DOCUMENTED_TOKEN_SETTINGS }).app;
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument(documented)))).toEqual(committed);
  });

  it("describes customer_id so that it covers both token modes: what either validates, it admits", () => {
    const hs256 = buildOpenApiDocument(testApp().app) as typeof committed;
    const uuidOnly = new RegExp(hs256.components.schemas.CreateOrder.properties.customer_id.pattern);
    const documented = new RegExp(committed.components.schemas.CreateOrder.properties.customer_id.pattern);
    for (const subject of ["5d2f1c3b-0000-4000-8000-000000000001", "auth0|65f0c1", "user_2abC"]) {
      expect(documented.test(subject), subject).toBe(true);
    }
    expect(uuidOnly.test("auth0|65f0c1")).toBe(false);
  });

  it("refuses to document an app with an undescribed route", async () => {
    const { Hono } = await import("hono");
    const app = testApp().app;
    app.route(
      "/",
      new Hono<AppEnv>().get("/undocumented", (c) => c.json({})),
    );
    expect(() => buildOpenApiDocument(app)).toThrow("GET /undocumented");
  });

  it("documents a request with the schemas its route validates it with, and no others", async () => {
    const { Hono } = await import("hono");
    const z = await import("zod/mini");
    const { validate } = await import("../../src/handlers/validation");
    const { documentRoute } = await import("../../src/openapi/route-doc");
    const doc = {
      operationId: "probe",
      tag: "operations" as const,
      summary: "a probe",
      description: "a probe",
      limited: false,
      body: { name: "ProbeBody", required: true },
      responses: { 200: { description: "ok", schema: "Health" as const } },
      errors: [],
    };
    const app = testApp().app;
    const query = z.strictObject({ depth: z.optional(z.enum(["shallow", "deep"])) });
    const body = z.strictObject({ note: z.string().check(z.maxLength(7)) });
    app.route(
      "/",
      new Hono<AppEnv>().post("/probe", validate("query", query), validate("json", body), documentRoute(doc), (c) =>
        c.json({}),
      ),
    );
    const document = buildOpenApiDocument(app) as {
      paths: Record<string, { post: { parameters: unknown[] } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.paths["/probe"]?.post.parameters).toEqual([
      { name: "depth", in: "query", required: false, schema: { type: "string", enum: ["shallow", "deep"] } },
    ]);
    expect(document.components.schemas.ProbeBody).toMatchObject({ properties: { note: { maxLength: 7 } } });

    const unvalidated = testApp().app;
    unvalidated.route(
      "/",
      new Hono<AppEnv>().post("/probe", documentRoute(doc), (c) => c.json({})),
    );
    expect(() => buildOpenApiDocument(unvalidated)).toThrow("POST /probe: a body is named only with a JSON validator");
  });

  it("documents every route of the app's route table", () => {
    const { app } = testApp();
    const paths = committed.paths as Record<string, Record<string, unknown>>;
    const routes = app.routes.filter((r) => r.method !== "ALL");
    expect(routes.length).toBeGreaterThan(8);
    const missing = routes
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, "{$1}") }))
      .filter(({ method, path }) => !paths[path]?.[method]);
    expect(missing).toEqual([]);
  });

  it("documents no route the app does not have", () => {
    const { app } = testApp();
    const served = new Set(
      app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    for (const [path, operations] of Object.entries(committed.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) expect(served).toContain(`${method.toUpperCase()} ${path}`);
    }
  });
});

describe("what generators rely on", () => {
  const doc = committed as unknown as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; schema?: unknown }[];
          responses: Record<string, { headers?: Record<string, { $ref: string }> }>;
        }
      >
    >;
    components: {
      schemas: Record<string, { properties?: Record<string, unknown> }>;
      headers: Record<string, { required?: boolean }>;
    };
  };

  it("types limit as an integer from 1 to 100, in the query and in the page", () => {
    const limit = doc.paths["/v1/orders"]?.get?.parameters?.find((p) => p.name === "limit");
    expect(limit?.schema).toEqual({ type: "integer", minimum: 1, maximum: 100 });
    const page = doc.components.schemas.OrderPage?.properties?.page as { properties: { limit: unknown } };
    expect(page.properties.limit).toEqual({ type: "integer", minimum: 1, maximum: 100 });
  });

  it("has one Order component, referenced by both envelopes", () => {
    expect(doc.components.schemas.OrderEnvelope?.properties?.data).toEqual({ $ref: "#/components/schemas/Order" });
    expect(doc.components.schemas.OrderPage?.properties?.data).toEqual({
      type: "array",
      items: { $ref: "#/components/schemas/Order" },
    });
  });

  it("marks the headers that are always sent as required", () => {
    const created = doc.paths["/v1/orders"]?.post?.responses["201"]?.headers ?? {};
    for (const name of ["X-Request-Id", "Location", "ETag"]) {
      const component = created[name]?.$ref.split("/").at(-1) ?? "";
      expect(doc.components.headers[component]?.required, name).toBe(true);
    }
    expect(doc.components.headers["Idempotent-Replayed"]?.required).toBeUndefined();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.headers?.["X-Request-Id"], `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
  });

  it("documents Server-Timing on the routes that send it, and only there", () => {
    expect(doc.paths["/v1/orders/{id}"]?.get?.responses["200"]?.headers?.["Server-Timing"]).toBeDefined();
    expect(doc.paths["/v1/orders/{id}"]?.get?.responses["404"]?.headers?.["Server-Timing"]).toBeDefined();
    expect(doc.paths["/readyz"]?.get?.responses["503"]?.headers?.["Server-Timing"]).toBeDefined();
    expect(doc.paths["/healthz"]?.get?.responses["200"]?.headers?.["Server-Timing"]).toBeUndefined();
  });

  it("documents /metrics as RFC 6750 bearer auth: 401 with a challenge", () => {
    const unauthorized = doc.paths["/metrics"]?.get?.responses["401"];
    expect(unauthorized?.headers?.["WWW-Authenticate"]).toBeDefined();
    expect(doc.paths["/metrics"]?.get?.responses["403"]).toBeUndefined();
  });
});
