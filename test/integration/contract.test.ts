import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import doc from "../../public/openapi.json";
import { send } from "../support/http";
import { bearer, token } from "../support/tokens";

type Schema = Record<string, unknown>;
const spec = doc as unknown as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema> };
};

/** The documented schema with the document's components beside it, so every `$ref` resolves. */
const withComponents = (schema: Schema): Schema => ({ ...schema, components: { schemas: spec.components.schemas } });

/** Checks a real answer against the schema documented for that operation and status. */
async function expectDocumented(res: Response, method: string, path: string) {
  const response = spec.paths[path]?.[method]?.responses[String(res.status)];
  expect(response, `${method} ${path} ${res.status} is documented`).toBeDefined();
  const schema = response?.content?.["application/json"]?.schema;
  expect(schema, `${method} ${path} ${res.status} has a JSON schema`).toBeDefined();
  const body = await res.json();
  const result = new Validator(withComponents(schema as Schema) as never, "2020-12", false).validate(body);
  expect(result.errors, JSON.stringify(body)).toEqual([]);
}

const exchange = (
  method: string,
  path: string,
  init: { auth?: string; body?: string; headers?: Record<string, string> } = {},
) =>
  send(path, {
    method,
    body: init.body,
    headers: {
      ...(init.auth ? bearer(init.auth) : {}),
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...init.headers,
    },
  });

const orderBody = JSON.stringify({ currency: "EUR", items: [{ sku: "C-1", quantity: 3, unit_price: 250 }] });

describe("real answers match the documented schemas", () => {
  it("for successes", async () => {
    const t = await token();
    const admin = await token({ role: "admin" });
    await expectDocumented(await exchange("GET", "/healthz"), "get", "/healthz");
    await expectDocumented(await exchange("GET", "/readyz"), "get", "/readyz");
    const created = await exchange("POST", "/v1/orders", { auth: t, body: orderBody });
    const id = ((await created.clone().json()) as { data: { id: string } }).data.id;
    await expectDocumented(created, "post", "/v1/orders");
    await expectDocumented(await exchange("GET", "/v1/orders?include=items", { auth: t }), "get", "/v1/orders");
    await expectDocumented(await exchange("GET", "/v1/orders", { auth: t }), "get", "/v1/orders");
    await expectDocumented(await exchange("GET", `/v1/orders/${id}`, { auth: t }), "get", "/v1/orders/{id}");
    await expectDocumented(
      await exchange("PATCH", `/v1/orders/${id}`, { auth: admin, body: JSON.stringify({ status: "paid" }) }),
      "patch",
      "/v1/orders/{id}",
    );
    await expectDocumented(
      await exchange("POST", `/v1/orders/${id}/cancel`, { auth: t }),
      "post",
      "/v1/orders/{id}/cancel",
    );
  });

  it("for each kind of error", async () => {
    const t = await token();
    const admin = await token({ role: "admin" });
    const created = await exchange("POST", "/v1/orders", { auth: t, body: orderBody });
    const id = ((await created.json()) as { data: { id: string } }).data.id;
    const cases: [Response, string, string][] = [
      [await exchange("DELETE", "/v1/orders"), "post", "/v1/orders"],
      [await exchange("GET", "/v1/orders"), "get", "/v1/orders"],
      [await exchange("GET", "/v1/orders?limit=0", { auth: t }), "get", "/v1/orders"],
      [await exchange("GET", `/v1/orders?customer_id=${crypto.randomUUID()}`, { auth: t }), "get", "/v1/orders"],
      [await exchange("GET", `/v1/orders/${crypto.randomUUID()}`, { auth: t }), "get", "/v1/orders/{id}"],
      [await exchange("POST", "/v1/orders", { auth: t, body: "{" }), "post", "/v1/orders"],
      [
        await exchange("POST", "/v1/orders", { auth: t, body: orderBody, headers: { "Content-Type": "text/plain" } }),
        "post",
        "/v1/orders",
      ],
      [
        await exchange("POST", "/v1/orders", { auth: t, body: JSON.stringify({ pad: "x".repeat(70_000) }) }),
        "post",
        "/v1/orders",
      ],
      [
        await exchange("PATCH", `/v1/orders/${id}`, { auth: t, body: JSON.stringify({ status: "paid" }) }),
        "patch",
        "/v1/orders/{id}",
      ],
      [
        await exchange("PATCH", `/v1/orders/${id}`, {
          auth: admin,
          body: JSON.stringify({ status: "paid" }),
          headers: { "If-Match": '"v9"' },
        }),
        "patch",
        "/v1/orders/{id}",
      ],
      [
        await exchange("PATCH", `/v1/orders/${id}`, { auth: admin, body: JSON.stringify({ status: "shipped" }) }),
        "patch",
        "/v1/orders/{id}",
      ],
      [await exchange("TRACE", "/healthz"), "get", "/healthz"],
    ];
    const statuses = [];
    for (const [res, method, path] of cases) {
      statuses.push(res.status);
      await expectDocumented(res, method, path);
    }
    expect(statuses).toEqual([405, 401, 400, 403, 404, 400, 415, 413, 403, 412, 409, 501]);

    const key = crypto.randomUUID();
    await exchange("POST", "/v1/orders", { auth: t, body: orderBody, headers: { "Idempotency-Key": key } });
    const reused = await exchange("POST", "/v1/orders", {
      auth: t,
      body: orderBody.replace("EUR", "USD"),
      headers: { "Idempotency-Key": key },
    });
    expect(reused.status).toBe(422);
    await expectDocumented(reused, "post", "/v1/orders");
  });
});
