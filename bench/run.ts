/**
 * `npm run bench`: what the service costs per request, measured, not asserted.
 *  1. Builds the worker exactly as deployed (`wrangler deploy --dry-run --minify`) and a bare Hono
 *     worker; reports bundle sizes and the largest contributors (esbuild metafile).
 *  2. Serves both with workerd through Miniflare's API (no `wrangler dev` proxy), the database behind
 *     the local SQL-over-HTTP server on PGlite, with rate limits raised out of the way.
 *  3. Drives each scenario with autocannon, the load generator pinned to CPU 0 and workerd to CPU 1
 *     where the machine has two; any non-2xx answer fails the run.
 *  4. Prints a table and writes bench/results/latest.json and latest.svg.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { sign } from "hono/jwt";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { createProvider } from "../dev/sql-server/provider.ts";
import { startSqlServer } from "../dev/sql-server/server.ts";
import { barChart } from "./svg.ts";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECRET = "bench-secret-bench-secret-bench-secret-0123";
const DATABASE = "bench";
const OUT = "bench/out";

function build(config: string | undefined, outdir: string) {
  execFileSync(
    process.execPath,
    [
      "node_modules/wrangler/bin/wrangler.js",
      "deploy",
      "--dry-run",
      "--minify",
      "--outdir",
      // wrangler resolves --outdir against the config's folder: make it absolute.
      resolve(outdir),
      "--metafile",
      `${outdir}/meta.json`,
      ...(config ? ["-c", config] : []),
    ],
    { stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  // The bundle is named after the config's `main` (index.js, worker.js).
  const name = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!name) throw new Error(`no bundle in ${outdir}`);
  const file = `${outdir}/${name}`;
  const raw = readFileSync(file);
  return { file, raw_bytes: raw.length, gzip_bytes: gzipSync(raw).length };
}

function contributors(metafile: string) {
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as {
    outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const output = Object.values(meta.outputs).find((o) => o.entryPoint);
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? (path.startsWith("src/") ? "(order-service src)" : path);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, bytes]) => ({ name, bytes }));
}

/** Child processes of this one: how we find the workerd that Miniflare started. */
function children(): number[] {
  const out = spawnSync("ps", ["-o", "pid=", "--ppid", String(process.pid)], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function pin(pid: number, cpu: number) {
  if (cpus().length < 2) return;
  spawnSync("taskset", ["-a", "-pc", String(cpu), String(pid)], { stdio: "ignore" });
}

async function startWorker(
  scriptPath: string,
  bindings: Record<string, string>,
  durableObjects?: Record<string, string>,
) {
  const before = new Set(children());
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath,
      compatibilityDate: "2026-11-01",
      compatibilityFlags: ["nodejs_als"],
      bindings,
      durableObjects,
    }),
  );
  const url = await mf.ready;
  const workerd = children().find((pid) => !before.has(pid));
  if (workerd) pin(workerd, 1);
  return { mf, url: url.toString().replace(/\/$/, ""), workerd };
}

interface Scenario {
  name: string;
  target: "bare" | "full";
  latencyMs?: number;
  db: boolean;
  request: () => autocannon.Request;
}

async function main() {
  pin(process.pid, 0);
  mkdirSync(OUT, { recursive: true });
  console.log("building the worker as deployed…");
  const bundle = build(undefined, `${OUT}/worker`);
  const bare = build("bench/bare/wrangler.toml", `${OUT}/bare`);
  const top = contributors(`${OUT}/worker/meta.json`);

  const provider = createProvider({ migrationsFolder: "migrations" });
  const sql = await startSqlServer({ provider });
  await provider.get(DATABASE); // created and migrated before the clock starts
  const full = await startWorker(
    bundle.file,
    {
      JWT_SECRET: SECRET,
      DATABASE_URL: `postgres://bench:bench@localhost/${DATABASE}`,
      DATABASE_HTTP_ENDPOINT: sql.url,
      LOG_LEVEL: "error",
      RATE_LIMIT_IP: "100000000/60s",
      RATE_LIMIT_USER: "100000000/60s",
    },
    { RATE_LIMITER: "RateLimiter" },
  );
  const baseline = await startWorker(bare.file, {});

  const customer = crypto.randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const auth = `Bearer ${await sign({ sub: customer, exp: now + 3600 }, SECRET, "HS256")}`;
  const tenItems = JSON.stringify({
    currency: "USD",
    items: Array.from({ length: 10 }, (_, i) => ({ sku: `BENCH-${i}`, quantity: i + 1, unit_price: 199 * (i + 1) })),
  });
  console.log("seeding 60 orders…");
  let orderId = "";
  for (let i = 0; i < 60; i++) {
    const res = await fetch(`${full.url}/v1/orders`, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "application/json" },
      body: tenItems,
    });
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    orderId = ((await res.json()) as { data: { id: string } }).data.id;
  }

  // What autovacuum does on a real server (PGlite runs none): give the planner statistics.
  await (await provider.get(DATABASE)).query({ query: "ANALYZE", params: [] });

  const get = (path: string) => () => ({ method: "GET" as const, path, headers: { authorization: auth } });
  const post = () => ({
    method: "POST" as const,
    path: "/v1/orders",
    headers: { authorization: auth, "content-type": "application/json" },
    body: tenItems,
    setupRequest: (req: autocannon.Request) => ({
      ...req,
      headers: { ...req.headers, "idempotency-key": crypto.randomUUID() },
    }),
  });
  const scenarios: Scenario[] = [
    { name: "bare hono GET /healthz", target: "bare", db: false, request: () => ({ method: "GET", path: "/healthz" }) },
    {
      name: "full chain GET /healthz",
      target: "full",
      db: false,
      request: () => ({ method: "GET", path: "/healthz" }),
    },
  ];
  // Reads first, writes last: every read scenario sees the same 60 seeded orders.
  for (const latencyMs of [0, 30]) {
    scenarios.push(
      {
        name: `GET /v1/orders/:id (db +${latencyMs}ms)`,
        target: "full",
        db: true,
        latencyMs,
        request: get(`/v1/orders/${orderId}`),
      },
      {
        name: `GET /v1/orders?include=items&limit=50 (db +${latencyMs}ms)`,
        target: "full",
        db: true,
        latencyMs,
        request: get("/v1/orders?include=items&limit=50"),
      },
    );
  }

  for (const latencyMs of [0, 30]) {
    const name = `POST /v1/orders 10 items + key (db +${latencyMs}ms)`;
    scenarios.push({ name, target: "full", db: true, latencyMs, request: post });
  }

  const results: Record<
    string,
    { rps: number; p50_ms: number; p99_ms: number; errors: number; requests: number; cpu_ms_per_request?: number }
  > = {};
  const roundTrips: Record<string, number> = {};
  let failed = false;
  for (const s of scenarios) {
    const target = s.target === "bare" ? baseline : full;
    sql.setFaults(s.latencyMs ? { latencyMs: s.latencyMs, database: DATABASE } : null);
    const before = sql.stats().byDatabase[DATABASE]?.roundTrips ?? 0;
    const ticks = target.workerd ? cpuTicks(target.workerd) : 0;
    const result = await autocannon({
      url: target.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [s.request()],
    });
    const cpuMs = target.workerd
      ? ((cpuTicks(target.workerd) - ticks) * 10) / Math.max(1, result.requests.total)
      : undefined;
    const errors = result.non2xx + result.errors + result.timeouts;
    results[s.name] = {
      rps: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      errors,
      requests: result.requests.total,
      ...(cpuMs === undefined ? {} : { cpu_ms_per_request: Math.round(cpuMs * 100) / 100 }),
    };
    if (s.db) {
      // Requests still in flight when the clock stopped finish now; count them all, by what was sent.
      await new Promise((r) => setTimeout(r, 1_000));
      const trips = (sql.stats().byDatabase[DATABASE]?.roundTrips ?? 0) - before;
      roundTrips[s.name] = Math.round((trips / Math.max(1, result.requests.sent)) * 100) / 100;
    }
    if (errors > 0) failed = true;
    console.log(
      `${s.name}: ${results[s.name]?.rps} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${errors}`,
    );
  }
  sql.setFaults(null);

  const bareRps = results["bare hono GET /healthz"]?.rps ?? 1;
  const fullRps = results["full chain GET /healthz"]?.rps ?? 0;
  const report = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, date: new Date().toISOString() },
    settings: { duration_s: DURATION_S, connections: CONNECTIONS, database: "PGlite via local SQL-over-HTTP server" },
    scenarios: results,
    ratios: { full_over_bare: Math.round((fullRps / bareRps) * 1000) / 1000 },
    db_round_trips_per_request: roundTrips,
    bundle: { raw_bytes: bundle.raw_bytes, gzip_bytes: bundle.gzip_bytes, top_contributors_minified_bytes: top },
    bare_bundle: { raw_bytes: bare.raw_bytes, gzip_bytes: bare.gzip_bytes },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    "bench/results/latest.svg",
    barChart(
      `order-service: requests/s (${report.machine.cpus} CPUs, ${CONNECTIONS} connections)`,
      Object.entries(results).map(([label, r]) => ({ label, value: r.rps })),
    ),
  );

  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    "\nscenario".padEnd(58) +
      "req/s".padStart(8) +
      "p50 ms".padStart(9) +
      "p99 ms".padStart(9) +
      "errors".padStart(8) +
      "cpu ms/req".padStart(12) +
      "db trips/req".padStart(14),
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      name.padEnd(57) +
        String(r.rps).padStart(8) +
        String(r.p50_ms).padStart(9) +
        String(r.p99_ms).padStart(9) +
        String(r.errors).padStart(8) +
        String(r.cpu_ms_per_request ?? "").padStart(12) +
        String(roundTrips[name] ?? "").padStart(14),
    );
  }
  console.log(`\nfull chain ÷ bare throughput: ${report.ratios.full_over_bare}`);
  console.log(
    `bundle: ${kib(bundle.raw_bytes)} raw, ${kib(bundle.gzip_bytes)} gzip (bare Hono: ${kib(bare.gzip_bytes)} gzip)`,
  );
  console.log(`largest contributors (minified): ${top.map((t) => `${t.name} ${kib(t.bytes)}`).join(", ")}`);
  console.log("wrote bench/results/latest.json and bench/results/latest.svg");

  await full.mf.dispose();
  await baseline.mf.dispose();
  await sql.close();
  const wrongTrips = Object.entries(roundTrips).filter(([, n]) => n !== 1);
  if (wrongTrips.length > 0) {
    console.error(
      `database round trips per request must be exactly 1: ${JSON.stringify(Object.fromEntries(wrongTrips))}`,
    );
    failed = true;
  }
  if (failed) {
    console.error("bench failed: non-2xx answers or extra round trips");
    process.exit(1);
  }
}

await main();
