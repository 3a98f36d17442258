import { sign } from "hono/jwt";
import type { AppBindings } from "../../src/config/config";
import { createIsolate } from "../../src/isolate";
import floor from "../floor/worker";

/**
 * `npm run bench:isolate`'s worker: it calls the service's app (built through the isolate root, as
 * src/index.ts does) or the stack floor's in a loop of its own, `c` requests at a time, with no HTTP
 * in between: what the two cost inside the isolate, the platform's bindings and the database live.
 * `GET /?scenario=read|list|floor-read|floor-list&n=2000&c=16` answers `ok` when all were 200.
 */
const SUBJECT = "6f1c1a52-3a55-4c0e-9a57-0b1f8f0d2a11";
const PAGE = 55;
const TEN_ITEMS = JSON.stringify({
  currency: "EUR",
  items: Array.from({ length: 10 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 2, unit_price: 1999 })),
});

type Bindings = AppBindings & Record<string, unknown>;
interface Seeded {
  app: ReturnType<typeof createIsolate>["app"];
  authorization: string;
  orderId: string;
}
let seeded: Promise<Seeded> | undefined;

/** The isolate's app, and one customer's orders: more than a page, so a list seals its next cursor. */
async function seed(env: Bindings, ctx: ExecutionContext): Promise<Seeded> {
  const { app } = createIsolate(env);
  const now = Math.floor(Date.now() / 1000);
  const authorization = `Bearer ${await sign({ sub: SUBJECT, iat: now, exp: now + 86_400 }, env.JWT_SECRET as string)}`;
  let orderId = "";
  for (let i = 0; i < PAGE; i++) {
    const headers = { Authorization: authorization, "Content-Type": "application/json" };
    const res = await app.fetch(
      new Request("http://bench/v1/orders", { method: "POST", headers, body: TEN_ITEMS }),
      env,
      ctx,
    );
    if (res.status !== 201) throw new Error(`seeding: ${res.status} ${await res.text()}`);
    orderId = ((await res.json()) as { data: { id: string } }).data.id;
  }
  return { app, authorization, orderId };
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 1);
    const c = Number(url.searchParams.get("c") ?? 1);
    seeded ??= seed(env, ctx);
    const { app, authorization, orderId } = await seeded;
    const headers = { Authorization: authorization, "CF-Connecting-IP": "192.0.2.1" };
    const scenarios: Record<string, () => Response | Promise<Response>> = {
      read: () => app.fetch(new Request(`http://bench/v1/orders/${orderId}`, { headers }), env, ctx),
      list: () => app.fetch(new Request("http://bench/v1/orders?include=items&limit=50", { headers }), env, ctx),
      "floor-read": () => floor.fetch(new Request(`http://bench/orders/${orderId}`, { headers }), env, ctx),
      "floor-list": () => floor.fetch(new Request(`http://bench/orders?customer_id=${SUBJECT}`, { headers }), env, ctx),
    };
    const scenario = scenarios[url.searchParams.get("scenario") ?? ""];
    if (!scenario) return new Response(`scenario: one of ${Object.keys(scenarios).join(", ")}`, { status: 400 });
    const one = async () => {
      const res = await scenario();
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${res.status} ${body}`);
    };
    try {
      for (let done = 0; done < n; done += c) await Promise.all(Array.from({ length: Math.min(c, n - done) }, one));
    } catch (err) {
      return new Response(String(err), { status: 500 });
    }
    return new Response("ok");
  },
};
