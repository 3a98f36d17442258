import { describe, expect, it } from "vitest";
import committed from "../../public/openapi.json";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { testApp } from "../support/test-app";

describe("the OpenAPI document", () => {
  it("is the one the schemas generate now (run `npm run openapi` after changing them, and commit)", () => {
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument()))).toEqual(committed);
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
