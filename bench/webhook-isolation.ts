/**
 * `npm run bench:webhooks`: whether hung receivers slow anyone else's webhooks, measured, not asserted.
 * Starts `npm run dev` (PGlite, or PostgreSQL with LOCAL_DATABASE_URL) with Miniflare's queues, and
 * receivers in this process: a healthy one (200 at once), a failing one (500 at once) and, in the second
 * scenario, two that never answer. Creates an order a second (--orders, 60) in each scenario and reports:
 * - the healthy endpoint's delivery latency (its receipt minus the create's answer), p50 / p95 / max,
 *   alone and beside the two hung receivers;
 * - the failing endpoint's first retry against its schedule: when the receiver got it minus the
 *   `next_attempt_at` the deliveries listing showed for the first attempt.
 * docs/operations.md ("Webhook isolation") holds the recorded figures and what they mean for production.
 */
import { spawn, spawnSync } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLoopbackServer } from "../dev/loopback-server.ts";
import { cli } from "../scripts/cli.ts";

const USAGE = `usage: npm run bench:webhooks [-- --orders <n>] [--port <port>]

Starts npm run dev on --port (8797) and measures a healthy webhook endpoint's delivery latency alone and
beside two receivers that never answer, an order a second, --orders (60) per scenario; and a failing
endpoint's first retry against its schedule. docs/operations.md, "Webhook isolation".`;

const { values } = cli(USAGE, { orders: { type: "string", default: "60" }, port: { type: "string", default: "8797" } });
const ORDERS = Number(values.orders);
const PORT = Number(values.port);
const API = `http://127.0.0.1:${PORT}`;

interface Receipt {
  at: number;
  webhookId: string;
  orderId: string;
}

/** Receivers by path: each records what it got and answers as its name says (`hung-*` never do). */
async function startReceivers() {
  const got = new Map<string, Receipt[]>();
  const open: ServerResponse[] = [];
  const server = createLoopbackServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const name = (req.url ?? "/").slice(1);
    const orderId = (JSON.parse(body) as { data?: { order_id?: string } }).data?.order_id ?? "";
    const receipt = { at: Date.now(), webhookId: String(req.headers["webhook-id"]), orderId };
    got.set(name, [...(got.get(name) ?? []), receipt]);
    if (name.startsWith("hung")) return void open.push(res);
    res.writeHead(name.startsWith("failing") ? 500 : 200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name: string) => `http://127.0.0.1:${port}/${name}`,
    received: (name: string) => got.get(name) ?? [],
    close: () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

function tokenFor(role: "admin" | "customer"): string {
  const out = spawnSync(process.execPath, ["scripts/token.ts", "--role", role], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`npm run token failed: ${out.stderr}`);
  return out.stdout.trim();
}

async function call(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${API}${path}`, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as { data: unknown }).data : undefined;
}

async function startService() {
  const dev = spawn(process.execPath, ["dev/run.ts"], {
    // The listing is polled four times a second: limits no scenario reaches.
    env: {
      ...process.env,
      PORT: String(PORT),
      LOG_LEVEL: "error",
      RATE_LIMIT_IP: "100000/60s",
      RATE_LIMIT_USER: "100000/60s",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 240; i++) {
    const up = await fetch(`${API}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return dev;
    await new Promise((r) => setTimeout(r, 500));
  }
  dev.kill("SIGINT");
  throw new Error("npm run dev did not answer /healthz within 2 minutes");
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

type Attempt = { id: string; event_id: string; attempt: number; next_attempt_at: string | null };

/** One scenario: the endpoints registered, an order a second, then until the healthy one has them all. */
async function scenario(label: string, hung: number, receivers: Awaited<ReturnType<typeof startReceivers>>) {
  const [admin, customer] = [tokenFor("admin"), tokenFor("customer")];
  const names = { healthy: `healthy-${label}`, failing: `failing-${label}` };
  const register = async (name: string) =>
    (
      (await call("/v1/webhook-endpoints", admin, {
        method: "POST",
        body: { url: receivers.url(name), events: ["order.created"] },
      })) as { id: string }
    ).id;
  const ids = [await register(names.healthy), await register(names.failing)];
  for (let i = 0; i < hung; i++) ids.push(await register(`hung-${label}-${i}`));
  const created = new Map<string, number>();
  const scheduled = new Map<string, number>();
  // The first attempt's next_attempt_at shows only until the retry is recorded: read it while it does.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows = (await call(`/v1/webhook-endpoints/${ids[1]}/deliveries?limit=100`, admin).catch(
        () => [],
      )) as Attempt[];
      for (const r of rows) {
        if (r.attempt === 1 && r.next_attempt_at) scheduled.set(r.event_id, Date.parse(r.next_attempt_at));
      }
      await pause(250);
    }
  })();
  const start = Date.now();
  for (let i = 0; i < ORDERS; i++) {
    await pause(Math.max(0, start + i * 1000 - Date.now()));
    const order = (await call("/v1/orders", customer, {
      method: "POST",
      body: { currency: "EUR", items: [{ sku: "BENCH", quantity: 1, unit_price: 100 }] },
    })) as { id: string };
    created.set(order.id, Date.now());
  }
  const deadline = Date.now() + 120_000;
  while (receivers.received(names.healthy).length < ORDERS && Date.now() < deadline) await pause(250);
  await pause(8_000); // the last orders' first retries
  polling = false;
  await poller;
  const latencies = receivers
    .received(names.healthy)
    .flatMap((r) => (created.has(r.orderId) ? [(r.at - (created.get(r.orderId) ?? 0)) / 1000] : []));
  const retries = new Map<string, number[]>();
  for (const r of receivers.received(names.failing))
    retries.set(r.webhookId, [...(retries.get(r.webhookId) ?? []), r.at]);
  const lateness = [...retries].flatMap(([eventId, times]) => {
    const due = scheduled.get(eventId);
    return due !== undefined && times[1] !== undefined ? [(times[1] - due) / 1000] : [];
  });
  for (const id of ids) await call(`/v1/webhook-endpoints/${id}`, admin, { method: "DELETE" });
  return { label, delivered: latencies.length, latencies, lateness };
}

const receivers = await startReceivers();
const dev = await startService();
process.on("exit", () => dev.kill("SIGINT"));
try {
  const results = [await scenario("alone", 0, receivers), await scenario("hung", 2, receivers)];
  const [alone, beside] = results;
  const fmt = (v: number) => `${v.toFixed(2)} s`;
  console.log(`\n${ORDERS} orders, one a second, per scenario\n`);
  console.log("healthy endpoint        delivered  p50      p95      max");
  for (const r of results) {
    const [p50, p95, max] = [percentile(r.latencies, 50), percentile(r.latencies, 95), Math.max(...r.latencies)];
    const name = r.label === "alone" ? "alone" : "beside two hung";
    console.log(
      `${name.padEnd(24)}${String(r.delivered).padEnd(11)}${fmt(p50).padEnd(9)}${fmt(p95).padEnd(9)}${fmt(max)}`,
    );
  }
  console.log("\nfailing endpoint's first retry, received minus next_attempt_at shown");
  for (const r of results) {
    const l = r.lateness;
    const range = l.length
      ? `${fmt(Math.min(...l))} … ${fmt(Math.max(...l))}, p50 ${fmt(percentile(l, 50))}`
      : "none seen";
    console.log(
      `${(r.label === "alone" ? "alone" : "beside two hung").padEnd(24)}${String(l.length).padEnd(5)}${range}`,
    );
  }
  if (alone && beside) {
    const ratio = percentile(beside.latencies, 95) / percentile(alone.latencies, 95);
    console.log(`\np95 beside two hung receivers / alone: ${ratio.toFixed(2)} (goal ≤ 2)`);
  }
} finally {
  receivers.close();
  dev.kill("SIGINT");
}
