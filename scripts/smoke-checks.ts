/**
 * The smoke test's steps against a deployed (or local) order-service: health, readiness, then a
 * create with an Idempotency-Key, its replay, get, list and cancel, as one customer of its own.
 * Plain fetch only, so it runs from the CLI (`npm run smoke`), from the release, and inside workerd
 * in the tests. The order it creates is cancelled at the end, also when a step in between fails.
 */
import { sign } from "hono/jwt";

export interface SmokeOptions {
  baseUrl: string;
  /** A customer token (Bearer JWT) for a customer used by nothing else. */
  token: string;
  fetch?: typeof fetch;
}

export interface SmokeStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SmokeReport {
  ok: boolean;
  steps: SmokeStep[];
}

class StepFailed extends Error {}

/** A JWT secret as an HMAC-SHA256 signing key: its bytes, whatever they read like. */
export const hmacSigningKey = (secret: string): Promise<CryptoKey> =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

/**
 * An HS256 JWT over `payload`. The secret is imported as HMAC key bytes first: given a string,
 * hono/jwt would read a secret that contains "PRIVATE" as a PEM key and fail.
 */
export async function signToken(payload: Record<string, unknown>, secret: string): Promise<string> {
  return sign(payload, await hmacSigningKey(secret), "HS256");
}

export interface SmokeTokenOptions {
  secret: string;
  /** The customer the token speaks for: a deployment's SMOKE_CUSTOMER_ID; one of its own when absent. */
  subject?: string;
  issuer?: string;
  audience?: string;
}

/** A five-minute customer token, as the identity provider would issue it. */
export function mintSmokeToken({ secret, subject = crypto.randomUUID(), issuer, audience }: SmokeTokenOptions) {
  const now = Math.floor(Date.now() / 1000);
  return signToken(
    {
      sub: subject,
      role: "customer",
      iat: now,
      exp: now + 300,
      ...(issuer ? { iss: issuer } : {}),
      ...(audience ? { aud: audience } : {}),
    },
    secret,
  );
}

function expectThat(condition: boolean, detail: string): void {
  if (!condition) throw new StepFailed(detail);
}

/** What an answer says, shortened for the report: status, error code, request id. */
async function describeAnswer(res: Response): Promise<string> {
  const text = await res.clone().text();
  let code = "";
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    code = text.slice(0, 80);
  }
  return `HTTP ${res.status}${code ? ` ${code}` : ""} (request ${res.headers.get("X-Request-Id") ?? "?"})`;
}

export async function runSmoke({ baseUrl, token, fetch: send = fetch }: SmokeOptions): Promise<SmokeReport> {
  const steps: SmokeStep[] = [];
  const base = baseUrl.replace(/\/+$/, "");
  const auth = { Authorization: `Bearer ${token}` };
  const call = (path: string, init: RequestInit = {}) =>
    send(`${base}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });

  async function step(name: string, run: () => Promise<string>): Promise<boolean> {
    try {
      steps.push({ name, ok: true, detail: await run() });
      return true;
    } catch (err) {
      const detail = err instanceof StepFailed ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
      steps.push({ name, ok: false, detail });
      return false;
    }
  }

  const key = `smoke-${crypto.randomUUID()}`;
  const body = JSON.stringify({ currency: "USD", items: [{ sku: "SMOKE-1", quantity: 1, unit_price: 100 }] });
  const create = () =>
    call("/v1/orders", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body,
    });
  let orderId: string | undefined;
  let created = "";

  const passed =
    (await step("GET /healthz is 200", async () => {
      const res = await send(`${base}/healthz`);
      expectThat(res.status === 200, await describeAnswer(res));
      return "alive";
    })) &&
    (await step("GET /readyz is 200", async () => {
      const res = await send(`${base}/readyz`);
      expectThat(res.status === 200, `${await describeAnswer(res)}: ${await res.text()}`);
      return "database answers";
    })) &&
    (await step("POST /v1/orders with an Idempotency-Key is 201", async () => {
      const res = await create();
      expectThat(res.status === 201, await describeAnswer(res));
      created = await res.text();
      orderId = (JSON.parse(created) as { data: { id: string } }).data.id;
      expectThat(res.headers.get("Location") === `/v1/orders/${orderId}`, "Location does not name the order");
      return `order ${orderId}`;
    })) &&
    (await step("the same POST replays it byte for byte", async () => {
      const res = await create();
      expectThat(res.status === 201, await describeAnswer(res));
      expectThat(res.headers.get("Idempotent-Replayed") === "true", "no Idempotent-Replayed: true");
      expectThat((await res.text()) === created, "the replay differs from the first answer");
      return "replayed";
    })) &&
    (await step("GET /v1/orders/{id} is 200", async () => {
      const res = await call(`/v1/orders/${orderId}`);
      expectThat(res.status === 200, await describeAnswer(res));
      return `ETag ${res.headers.get("ETag")}`;
    })) &&
    (await step("GET /v1/orders lists it", async () => {
      const res = await call("/v1/orders?limit=5");
      expectThat(res.status === 200, await describeAnswer(res));
      const page = (await res.json()) as { data: { id: string }[] };
      expectThat(
        page.data.some((o) => o.id === orderId),
        "the new order is not on the first page",
      );
      return `${page.data.length} on the page`;
    }));

  // Clean up whatever was created, whether or not everything above passed.
  let cleaned = true;
  if (orderId) {
    cleaned = await step("POST /v1/orders/{id}/cancel cancels it (clean-up)", async () => {
      const res = await call(`/v1/orders/${orderId}/cancel`, { method: "POST" });
      expectThat(res.status === 200, await describeAnswer(res));
      const status = ((await res.json()) as { data: { status: string } }).data.status;
      expectThat(status === "cancelled", `status is ${status}`);
      return "cancelled";
    });
  }
  return { ok: passed && cleaned, steps };
}

/** The report as lines a person reads in a terminal or a CI log. */
export function formatReport(report: SmokeReport, baseUrl: string): string {
  const lines = report.steps.map((s) => `${s.ok ? "ok  " : "FAIL"}  ${s.name}: ${s.detail}`);
  lines.push(report.ok ? `smoke test passed against ${baseUrl}` : `smoke test FAILED against ${baseUrl}`);
  return lines.join("\n");
}
