/**
 * `npm run bench:profile`: where the worker's CPU goes, per scenario. Builds the worker as deployed
 * but unminified (so functions keep their names), serves it with workerd through Miniflare with
 * the inspector open, drives each scenario with autocannon while workerd's V8 profiler samples
 * (Chrome DevTools Protocol over the inspector's WebSocket), and prints the top self-time costs,
 * grouped by package or by our source file. Writes bench/out/profile-*.cpuprofile for DevTools.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { sign } from "hono/jwt";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { createProvider } from "../dev/sql-server/provider.ts";
import { startSqlServer } from "../dev/sql-server/server.ts";
import { cli } from "../scripts/cli.ts";
import { deployedCompatibility } from "./compatibility.ts";
import { createOrder, seedOrders } from "./requests.ts";
import { platformBindings, platformStandInWorker } from "./stand-ins.ts";

cli("usage: npm run bench:profile   (where the worker's CPU goes per scenario; docs/benchmarks.md)", {});

const SECRET = "bench-secret-bench-secret-bench-secret-0123";
const OUT = "bench/out";
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9231);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
/** The profiled worker's name, by which its isolate is told from the stand-ins' on the inspector. */
const PROFILED = "profiled";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal CDP client over the inspector's WebSocket, to the named worker's isolate. */
async function inspector(port: number, worker: string) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    title: string;
    webSocketDebuggerUrl?: string;
  }[];
  const url = targets.find((t) => t.title.includes(worker))?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target for ${worker} in ${JSON.stringify(targets.map((t) => t.title))}`);
  const ws = new WebSocket(url);
  await new Promise((resolveOpen, reject) => {
    ws.onopen = resolveOpen;
    ws.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolveCall) => {
      const id = nextId++;
      pending.set(id, resolveCall);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/**
 * Which module a line of the (unminified) bundle came from: esbuild heads each module with a
 * `// node_modules/…` or `// src/…` comment.
 */
function moduleOfLine(bundle: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  bundle.split("\n").forEach((text, line) => {
    const m = /^\/\/ ((?:node_modules\/(?:@[^/]+\/)?[^/]+)|src\/\S+)/.exec(text);
    if (m?.[1]) starts.push({ line, module: m[1].replace(/^node_modules\//, "") });
  });
  return (line) => {
    let found = "(bundle)";
    for (const start of starts) {
      if (start.line > line) break;
      found = start.module;
    }
    return found;
  };
}

/** Self time by where it was spent: a package, one of our files, or the runtime. */
function topCosts(profile: CpuProfile, total: number, moduleOf: (line: number) => string) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") return;
    // workerd's own modules (`cloudflare-internal:…`, `node:…`) are the platform's, named by their URL.
    const where = !url ? "(runtime)" : /^[a-z-]+:/.test(url) ? url.replace(/:\d+$/, "") : moduleOf(lineNumber);
    const key = `${functionName || "(anonymous)"} — ${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const active = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    activeMsPerRequest: active / 1000 / total,
    top: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, micros]) => ({ name, share: Math.round((micros / active) * 1000) / 10 })),
  };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const outdir = resolve(`${OUT}/profile-worker`);
  execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", outdir], {
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const script = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!script) throw new Error("no bundle");
  const moduleOf = moduleOfLine(readFileSync(`${outdir}/${script}`, "utf8"));

  const provider = createProvider({
    databaseUrl: process.env.BENCH_DATABASE_URL,
    migrationsFolder: "migrations",
    createDatabases: Boolean(process.env.BENCH_DATABASE_URL),
    dropCreatedOnClose: Boolean(process.env.BENCH_DATABASE_URL),
  });
  const sql = await startSqlServer({ provider });
  const database = `profile_${Date.now().toString(36)}`;
  await provider.get(database);
  const mf = new Miniflare({
    ...convertV4MiniflareOptions({
      workers: [
        {
          name: PROFILED,
          modules: true,
          scriptPath: `${outdir}/${script}`,
          ...deployedCompatibility(),
          bindings: {
            JWT_SECRET: SECRET,
            WEBHOOK_ENCRYPTION_KEY: SECRET,
            DATABASE_URL: `postgres://bench:bench@localhost/${database}`,
            DATABASE_HTTP_ENDPOINT: sql.url,
            LOG_LEVEL: "error",
          },
          // The platform's bindings as the benchmark gives them (bench/stand-ins.ts): Miniflare's
          // simulation of the Rate Limiting binding runs its JS in this worker's isolate, where it
          // was 5-7 % of an orders request's profile, named as ours.
          serviceBindings: platformBindings,
        },
        platformStandInWorker,
      ],
    }),
    inspectorPort: INSPECTOR_PORT,
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const now = Math.floor(Date.now() / 1000);
  const auth = `Bearer ${await sign({ sub: crypto.randomUUID(), iat: now, exp: now + 3600 }, SECRET, "HS256")}`;
  const orderId = await seedOrders(url, auth);

  const cdp = await inspector(INSPECTOR_PORT, PROFILED);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  const scenarios: [string, autocannon.Request][] = [
    ["GET /healthz", { method: "GET", path: "/healthz" }],
    ["GET /v1/orders/:id", { method: "GET", path: `/v1/orders/${orderId}`, headers: { authorization: auth } }],
    [
      "GET /v1/orders?include=items&limit=50",
      { method: "GET", path: "/v1/orders?include=items&limit=50", headers: { authorization: auth } },
    ],
    ["POST /v1/orders", createOrder(auth)],
  ];
  for (const [name, request] of scenarios) {
    await cdp.send("Profiler.start");
    const result = await autocannon({ url, connections: 8, duration: DURATION_S, requests: [request] });
    const { profile } = (await cdp.send("Profiler.stop")) as { profile: CpuProfile };
    const file = `${OUT}/profile-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    const { activeMsPerRequest, top } = topCosts(profile, result.requests.total, moduleOf);
    console.log(`\n${name}: ${result.requests.total} requests, ${activeMsPerRequest.toFixed(3)} ms of JS per request`);
    for (const t of top) console.log(`  ${String(t.share).padStart(5)} %  ${t.name}`);
    console.log(`  (${file})`);
  }
  cdp.close();
  await mf.dispose();
  await sql.close();
}

await main();
