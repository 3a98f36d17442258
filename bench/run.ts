/**
 * `npm run bench`: what the service costs per request, measured, not asserted.
 *  1. Builds the worker exactly as deployed (`wrangler deploy --dry-run --minify`), a bare Hono
 *     worker, and the stack floor (bench/floor: Hono and Drizzle over the Neon driver doing the same
 *     work as each orders scenario, none of the service), all with wrangler.toml's compatibility
 *     settings; reports bundle sizes and the largest contributors (esbuild metafile).
 *  2. Compares the full chain with bare Hono on /healthz in BENCH_REPEAT interleaved runs, and (last, so
 *     its builds overlap no load run) profiles the three workers' startup (`wrangler check startup`,
 *     median of BENCH_REPEAT interleaved runs).
 *  3. Serves the worker with workerd through Miniflare's API (no `wrangler dev` proxy), the database
 *     behind the local SQL-over-HTTP server on PGlite and on this machine's PostgreSQL when it answers
 *     (BENCH_DATABASE_URL), with stand-ins for the Rate Limiting and queue bindings (bench/stand-ins.ts),
 *     and counts database round trips (at the SQL server) per request.
 *  4. Drives each orders scenario and the stack floor doing the same work at the same time,
 *     BENCH_REPEAT runs of 3 s, with autocannon after an unmeasured warm-up (BENCH_WARM_UP_S, 2 s),
 *     the load generator pinned to CPU 0 and both workerd processes to CPU 1 where the machine has
 *     two, and reports `cpu_over_floor`: the median of the runs' CPU ratios, each of two workers
 *     measured in the same seconds (their requests per second and latencies are those of two workers
 *     sharing one CPU). Database round trips are counted on the service driven alone. A non-2xx answer
 *     or a round-trip count other than 1 fails the run. The stack floor answers one query at +30 ms
 *     too: the latency any worker gets here.
 *  5. Prints a table and the goals (docs/benchmarks.md), and writes bench/results/latest.json and
 *     latest.svg.
 * BENCH_REPEAT=<n> drives each database scenario n times and reports the median (and the runs).
 * BENCH_AGAINST=<git ref> also builds the worker at that commit and drives it with the others, in the
 * same runs (BENCH_REPEAT), printing both medians and the change (the median of the runs' own
 * ratios); such a run, like a BENCH_ONLY one, leaves the recorded results alone.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { sign } from "hono/jwt";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { cli } from "../scripts/cli.ts";
import { buildAgainst } from "./against.ts";
import { baselineConfig, deployedWorker } from "./compatibility.ts";
import { BENCH_AUDIENCE, BENCH_ISSUER, startBenchProvider } from "./identity-provider.ts";
import { median } from "./median.ts";
import { children, cpuTicks, pin, startSqlProcess, workerdsSince } from "./processes.ts";
import { createOrder, floorCreate, seedOrders, subscribeEndpoint } from "./requests.ts";
import { onPlatform } from "./stand-ins.ts";
import { barChart } from "./svg.ts";

cli(
  "usage: npm run bench   (settings in the environment: BENCH_REPEAT, BENCH_ONLY, BENCH_AGAINST, BENCH_DURATION_S,\n" +
    "BENCH_CONNECTIONS, BENCH_WARM_UP_S, BENCH_DATABASE_URL; docs/benchmarks.md)",
  {},
);

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECRET = "bench-secret-bench-secret-bench-secret-0123";
const DATABASE = "bench";
const ENDPOINT_SCENARIO = "POST /v1/orders 10 items + key, 1 webhook endpoint (db +0ms)";
const OUT = "bench/out";
/** `BENCH_ONLY=<regex>`: run only the scenarios whose names match (for iterating on one of them). */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const selected = (name: string) => !ONLY || ONLY.test(name);
const AGAINST = process.env.BENCH_AGAINST || undefined;
/**
 * Runs per figure. On a shared VM a worker's CPU per request moves by a third from one run to the
 * next; workers driven in the same seconds move together, and the median of five runs' ratios is not
 * moved by one disturbed run.
 */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 5));
const STARTUP_RUNS = Math.max(1, Number(process.env.BENCH_STARTUP_RUNS ?? 9));
/** Results are recorded only by a whole run of this checkout alone. */
const RECORDING = !ONLY && !AGAINST;

/**
 * Builds a worker as deployed: the bundle (sized, and served by the load runs) and its upload as
 * `wrangler deploy` would send it, which `wrangler check startup --worker` profiles.
 */
function build(config: string | undefined, outdir: string) {
  const upload = resolve(`${outdir}.bundle`);
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
      "--outfile",
      upload,
      ...(config ? ["-c", config] : []),
    ],
    { stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  // The bundle is named after the config's `main` (index.js, worker.js).
  const name = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!name) throw new Error(`no bundle in ${outdir}`);
  const file = `${outdir}/${name}`;
  const raw = readFileSync(file);
  return { file, upload, raw_bytes: raw.length, gzip_bytes: gzipSync(raw).length };
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

/**
 * A worker under workerd; `limiters` gives it the platform's stand-ins (bench/stand-ins.ts): the Rate
 * Limiting bindings, and the events queue's producer (the consumer's fan-out and deliveries run off
 * the request, later, and are not what a request costs).
 */
async function startWorker(scriptPath: string, bindings: Record<string, string>, { limiters = false } = {}) {
  const before = new Set(children());
  const mf = new Miniflare(
    convertV4MiniflareOptions(
      limiters ? onPlatform("benchmarked", scriptPath, bindings) : deployedWorker(scriptPath, bindings),
    ),
  );
  const url = await mf.ready;
  const [workerd] = workerdsSince(before);
  if (workerd) pin(workerd, 1);
  return { mf, url: url.toString().replace(/\/$/, ""), workerd };
}

interface Scenario {
  name: string;
  latencyMs?: number;
  request: () => autocannon.Request;
  /** The stack floor's worker instead of the service's. */
  floor?: boolean;
  /** The same work on the stack floor, driven at the same time as the service's: `cpu_over_floor`. */
  floorRequest?: () => autocannon.Request;
  /**
   * Instead of the floor, the service against itself: the same request to two workers of this bundle,
   * each on a fresh database, one of them prepared (e.g. a webhook endpoint subscribed), driven at
   * the same time. `cpu_over_baseline` is what the preparation costs a request.
   */
  versus?: { prepare: (url: string) => Promise<void> };
}

interface ScenarioResult {
  backend?: "pglite" | "postgres";
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  requests: number;
  cpu_ms_per_request?: number;
  db_round_trips_per_request?: number;
  /** Ours ÷ the stack floor doing the same work: the median of the runs' ratios. */
  cpu_over_floor?: number;
  cpu_over_floor_runs?: number[];
  floor_cpu_ms_per_request?: number;
  /** A `versus` scenario's prepared worker ÷ the unprepared one: the median of the runs' ratios. */
  cpu_over_baseline?: number;
  cpu_over_baseline_runs?: number[];
  /** With BENCH_REPEAT > 1: every run's figure, of which the fields above are the medians. */
  cpu_ms_per_request_runs?: number[];
  p99_ms_runs?: number[];
}

type Worker = Awaited<ReturnType<typeof startWorker>>;

const WARM_UP_S = Number(process.env.BENCH_WARM_UP_S ?? 2);
/** Requests sent to one worker, alone, to count its database round trips (`roundTrips`, below). */
const TRIP_COUNT_REQUESTS = 200;

/**
 * Load that is not measured, so V8 has compiled the path before the clock starts: the full chain
 * has far more code to optimise than bare Hono, and its first seconds would be counted against it.
 */
async function warmUp(target: Worker, request: autocannon.Request) {
  if (WARM_UP_S > 0)
    await autocannon({ url: target.url, connections: CONNECTIONS, duration: WARM_UP_S, requests: [request] });
}

/** One autocannon run against a worker, with workerd's CPU time per request. */
async function drive(target: Worker, request: autocannon.Request) {
  const ticks = target.workerd ? cpuTicks(target.workerd) : 0;
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [request],
  });
  const cpuMs = target.workerd
    ? ((cpuTicks(target.workerd) - ticks) * 10) / Math.max(1, result.requests.total)
    : undefined;
  return {
    result,
    summary: {
      rps: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      errors: result.non2xx + result.errors + result.timeouts,
      requests: result.requests.total,
      ...(cpuMs === undefined ? {} : { cpu_ms_per_request: Math.round(cpuMs * 100) / 100 }),
    } satisfies ScenarioResult,
  };
}

/**
 * Startup CPU of a built worker as `wrangler check startup` profiles it: the time of its samples that
 * are not idle. The profiler samples about every millisecond, but on this VM a sample now and then
 * comes 8-30 ms after the one before, in the profiles of every worker alike: counted whole, that gap
 * went to whichever node the late sample hit, idle or not, and moved one worker's figure between 32
 * and 61 ms from one run to the next. A sample counts for at most three intervals: what the profiler
 * did not see is not counted. A profile with no sample outside idle is taken again; three in a row
 * mean the whole startup fell between two samples (bare Hono's, on a day the first sample comes late):
 * `null`, below what the profiler can see, not a startup of 0 ms.
 */
function startupActiveMs(bundle: string, outfile: string): number | null {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const ms = profiledStartupMs(bundle, outfile);
    if (ms > 0) return ms;
  }
  return null;
}

function profiledStartupMs(bundle: string, outfile: string): number {
  execFileSync(
    process.execPath,
    ["node_modules/wrangler/bin/wrangler.js", "check", "startup", "--worker", bundle, "--outfile", outfile],
    { stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  const profile = JSON.parse(readFileSync(outfile, "utf8")) as {
    nodes: { id: number; callFrame: { functionName: string } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  const longest = 3 * median(profile.timeDeltas);
  let micros = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) micros += Math.min(profile.timeDeltas[i] ?? 0, longest);
  });
  return Math.round(micros / 100) / 10;
}

/**
 * Startup profiles of the workers' uploads (built once, by `build`, so no profile follows a build),
 * interleaved, every other run in the other order. A profile has a few dozen samples and one garbage
 * collection moves it by 10 %: STARTUP_RUNS of them.
 */
function startupRuns(uploads: Record<string, string>): Record<string, (number | null)[]> {
  const bundles = Object.entries(uploads);
  const runs: Record<string, (number | null)[]> = Object.fromEntries(bundles.map(([name]) => [name, []]));
  for (let run = 1; run <= STARTUP_RUNS; run++) {
    for (const [name, bundle] of run % 2 ? bundles : [...bundles].reverse()) {
      runs[name]?.push(startupActiveMs(bundle, `${OUT}/startup-${name}.cpuprofile`));
    }
  }
  return runs;
}

/** Each figure's median over the runs (one run: that run), with every run's CPU and p99 when repeated. */
function medianResult(runs: ScenarioResult[]): ScenarioResult {
  const [first] = runs;
  if (!first) throw new Error("no runs");
  if (runs.length === 1) return first;
  const of = (pick: (r: ScenarioResult) => number | undefined) => median(runs.map((r) => pick(r) ?? 0));
  return {
    backend: first.backend,
    rps: of((r) => r.rps),
    p50_ms: of((r) => r.p50_ms),
    p99_ms: of((r) => r.p99_ms),
    // Any run's failure fails the scenario.
    errors: Math.max(...runs.map((r) => r.errors)),
    requests: runs.reduce((n, r) => n + r.requests, 0),
    cpu_ms_per_request: of((r) => r.cpu_ms_per_request),
    cpu_ms_per_request_runs: runs.map((r) => r.cpu_ms_per_request ?? 0),
    p99_ms_runs: runs.map((r) => r.p99_ms),
  };
}

/** The median of the startup runs the profiler saw (`null` runs: below its resolution). */
function medianSeen(runs: (number | null)[] = []): number | null {
  const seen = runs.filter((ms) => ms !== null);
  return seen.length > 0 ? median(seen) : null;
}

/** A startup figure as printed: its median, and how many runs the profiler did not see. */
function startupFigure(runs: (number | null)[] = []): string {
  const unseen = runs.filter((ms) => ms === null).length;
  const ms = medianSeen(runs);
  const figure = ms === null ? "below the profiler's resolution" : `${ms} ms`;
  return unseen > 0 && ms !== null
    ? `${figure} (${unseen} of ${runs.length} runs below the profiler's resolution)`
    : figure;
}

/** Run by run (the two were measured in the same seconds), ours ÷ theirs. */
const runRatios = (mine: number[], theirs: number[]) =>
  mine.map((m, i) => Math.round((m / Math.max(theirs[i] ?? 0, 1e-9)) * 1000) / 1000);

/** CPU per request, run by run, ours ÷ theirs. */
const cpuRatios = (mine: ScenarioResult[], theirs: ScenarioResult[]) =>
  runRatios(
    mine.map((m) => m.cpu_ms_per_request ?? 0),
    theirs.map((t) => t.cpu_ms_per_request ?? 0),
  );

/** Ours ÷ the floor, run by run, and the median of those ratios. */
function overFloor(mine: ScenarioResult[], floor: ScenarioResult[]): Partial<ScenarioResult> {
  if (floor.some((f) => f.errors > 0)) throw new Error("the stack floor answered with errors");
  const ratios = cpuRatios(mine, floor);
  return {
    cpu_over_floor: median(ratios),
    cpu_over_floor_runs: ratios,
    floor_cpu_ms_per_request: median(floor.map((f) => f.cpu_ms_per_request ?? 0)),
  };
}

/** A `versus` scenario's prepared worker ÷ its baseline, run by run, and the median. */
function overBaseline(mine: ScenarioResult[], baseline: ScenarioResult[]): Partial<ScenarioResult> {
  if (baseline.some((b) => b.errors > 0)) throw new Error("the baseline worker answered with errors");
  const ratios = cpuRatios(mine, baseline);
  return { cpu_over_baseline: median(ratios), cpu_over_baseline_runs: ratios };
}

/**
 * This checkout ÷ that commit as a change: the median of the runs' own ratios, as `cpu_over_floor` is. Each
 * run's two workers shared the same seconds; the ratio of the two sides' medians would pair one side's
 * run with another run of the other, and moved by 10 % between invocations of one bundle against itself.
 */
const change = (ratios: number[]) => {
  const percent = Math.round((median(ratios) - 1) * 1000) / 10;
  return `${percent >= 0 ? "+" : ""}${percent} %`;
};

/** Requests still in flight finish before a count is taken. */
const settle = () => new Promise((r) => setTimeout(r, 1_000));

interface Comparison {
  name: string;
  against: ScenarioResult[];
  current: ScenarioResult[];
}

/** This machine's PostgreSQL when it answers (BENCH_DATABASE_URL, or the default below). */
async function postgresUrl(): Promise<string | undefined> {
  const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch {
    return undefined;
  }
}

/** The database scenarios on one backend: its own SQL server, database and worker. */
async function databaseScenarios(
  backend: "pglite" | "postgres",
  bundleFile: string,
  floorFile: string,
  databaseUrl: string | undefined,
  againstFile: string | undefined,
): Promise<{ results: Record<string, ScenarioResult>; comparisons: Comparison[] }> {
  const sql = await startSqlProcess(databaseUrl);
  const database = `${DATABASE}_${Date.now().toString(36)}`;
  await sql.query(database, "SELECT 1"); // created and migrated before the clock starts
  // Both kinds of token, as a deployment taking an identity provider's tokens beside its own runs.
  const provider = await startBenchProvider();
  const serviceBindings = {
    JWT_SECRET: SECRET,
    JWT_MODES: "hs256,jwks",
    JWT_JWKS_URL: provider.url,
    JWT_ISSUER: BENCH_ISSUER,
    JWT_AUDIENCE: BENCH_AUDIENCE,
    DATABASE_URL: `postgres://bench:bench@localhost/${database}`,
    DATABASE_HTTP_ENDPOINT: sql.url,
    LOG_LEVEL: "error",
    WEBHOOK_ENCRYPTION_KEY: SECRET,
    RATE_LIMIT_IP: "100000000/60s",
    RATE_LIMIT_USER: "100000000/60s",
  };
  const full = await startWorker(bundleFile, serviceBindings, { limiters: true });

  const customer = crypto.randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: customer, iat: now, exp: now + 3600, iss: BENCH_ISSUER, aud: BENCH_AUDIENCE };
  const auth = `Bearer ${await sign(claims, SECRET, "HS256")}`;
  const providerAuth = `Bearer ${await provider.sign("RS256", claims)}`;
  const adminAuth = `Bearer ${await sign({ ...claims, sub: crypto.randomUUID(), role: "admin" }, SECRET, "HS256")}`;
  let orderId = "";
  // The provider's caller is a customer of its own issuer (subject and issuer): it reads an order of its own.
  let providerOrderId = "";
  const get = (path: () => string) => () => ({
    method: "GET" as const,
    path: path(),
    headers: { authorization: auth },
  });
  const post = () => createOrder(auth);
  const onFloor = (path: () => string) => () => ({ method: "GET" as const, path: path() });
  const scenarios: Scenario[] = [];
  // Reads first, writes last: every read scenario sees the same 60 seeded orders.
  for (const latencyMs of [0, 30]) {
    scenarios.push(
      {
        name: `GET /v1/orders/:id (db +${latencyMs}ms)`,
        latencyMs,
        request: get(() => `/v1/orders/${orderId}`),
        floorRequest: onFloor(() => `/orders/${orderId}`),
      },
      {
        name: `GET /v1/orders?include=items&limit=50 (db +${latencyMs}ms)`,
        latencyMs,
        request: get(() => "/v1/orders?include=items&limit=50"),
        floorRequest: onFloor(() => `/orders?customer_id=${customer}`),
      },
    );
  }
  scenarios.push({
    name: "GET /v1/orders/:id, RS256 token (db +0ms)",
    latencyMs: 0,
    request: () => ({ method: "GET", path: `/v1/orders/${providerOrderId}`, headers: { authorization: providerAuth } }),
    floorRequest: onFloor(() => `/orders/${providerOrderId}`),
  });
  for (const latencyMs of [0, 30]) {
    scenarios.push({
      name: `POST /v1/orders 10 items + key (db +${latencyMs}ms)`,
      latencyMs,
      request: post,
      floorRequest: floorCreate,
    });
  }
  // The same create once an endpoint takes its events ÷ without: the request path must not grow.
  scenarios.push({
    name: ENDPOINT_SCENARIO,
    latencyMs: 0,
    request: post,
    versus: { prepare: (url) => subscribeEndpoint(url, adminAuth) },
  });
  // What any worker gets here: one query, no service code, at the same injected latency.
  scenarios.push({
    name: "stack floor: one Drizzle query (db +30ms)",
    latencyMs: 30,
    request: () => ({ method: "GET", path: "/one-query" }),
    floor: true,
  });

  const chosen = scenarios.filter((s) => selected(`${s.name} [${backend}]`));
  if (chosen.length === 0) {
    await full.mf.dispose();
    await sql.close();
    await provider.close();
    return { results: {}, comparisons: [] };
  }
  const floor = await startWorker(
    floorFile,
    { DATABASE_URL: `postgres://bench:bench@localhost/${database}`, DATABASE_HTTP_ENDPOINT: sql.url },
    { limiters: true },
  );
  // The other commit's worker, on the same database, driven in the same runs as this one.
  const against = againstFile ? await startWorker(againstFile, serviceBindings, { limiters: true }) : undefined;
  console.log(`[${backend}] seeding 60 orders…`);
  orderId = await seedOrders(full.url, auth);
  providerOrderId = await seedOrders(full.url, providerAuth, 1);
  // What autovacuum does on a real server (PGlite runs none): give the planner statistics.
  await sql.query(database, "ANALYZE");

  /** Each worker's database, where it is not the scenarios' shared one. */
  const databaseOf = new Map<Worker, string>();
  /**
   * Database round trips per request: a property of the code, not of the load, so counted on a worker
   * driven alone (the measured runs drive several at once on one database), by what was sent.
   */
  async function roundTrips(target: Worker, request: autocannon.Request): Promise<number> {
    const db = databaseOf.get(target) ?? database;
    const trips = (await sql.stats()).byDatabase[db]?.roundTrips ?? 0;
    const result = await autocannon({
      url: target.url,
      connections: CONNECTIONS,
      amount: TRIP_COUNT_REQUESTS,
      requests: [request],
    });
    await settle();
    const made = ((await sql.stats()).byDatabase[db]?.roundTrips ?? 0) - trips;
    return Math.round((made / Math.max(1, result.requests.sent)) * 100) / 100;
  }

  const results: Record<string, ScenarioResult> = {};
  const comparisons: Comparison[] = [];
  /** The two workers of a `versus` scenario, each on a fresh database (started one by one: see startWorker). */
  async function versusPair(versus: NonNullable<Scenario["versus"]>) {
    const pair: Worker[] = [];
    for (const role of ["baseline", "prepared"]) {
      const db = `${database}_${role}`;
      const worker = await startWorker(
        bundleFile,
        { ...serviceBindings, DATABASE_URL: `postgres://bench:bench@localhost/${db}` },
        { limiters: true },
      );
      databaseOf.set(worker, db);
      pair.push(worker);
    }
    const [baseline, prepared] = pair as [Worker, Worker];
    await versus.prepare(prepared.url);
    return { baseline, prepared };
  }

  for (const s of chosen) {
    const pair = s.versus ? await versusPair(s.versus) : undefined;
    await sql.setFaults(s.latencyMs ? { latencyMs: s.latencyMs, database } : null);
    const name = `${s.name} [${backend}]`;
    const targets =
      pair ?? (s.floor ? { floor } : { ...(against ? { against } : {}), ...(s.floorRequest ? { floor } : {}), full });
    const requestFor = (target: Worker) => (target === floor && s.floorRequest ? s.floorRequest() : s.request());
    const main = pair ? pair.prepared : s.floor ? floor : full;
    for (const target of Object.values(targets)) await warmUp(target, requestFor(target));
    // Requests still in flight when the warm-up stopped finish before anything is counted.
    await settle();
    const trips = await roundTrips(main, requestFor(main));
    const runs = new Map<Worker, ScenarioResult[]>(Object.values(targets).map((t) => [t, []]));
    for (let run = 1; run <= REPEAT; run++) {
      // All at once: whatever slows the machine down during a run slows every worker in it.
      const measured = await Promise.all(
        Object.values(targets).map(async (target) => ({ target, ...(await drive(target, requestFor(target))) })),
      );
      for (const { target, summary } of measured) runs.get(target)?.push({ backend, ...summary });
      // Requests still in flight when the clock stopped finish before the next run starts.
      await settle();
    }
    await sql.setFaults(null);
    const mine = runs.get(main) ?? [];
    results[name] = {
      ...medianResult(mine),
      db_round_trips_per_request: trips,
      ...(s.floorRequest ? overFloor(mine, runs.get(floor) ?? []) : {}),
      ...(pair ? overBaseline(mine, runs.get(pair.baseline) ?? []) : {}),
    };
    if (pair) await Promise.all([pair.baseline.mf.dispose(), pair.prepared.mf.dispose()]);
    const r = results[name];
    console.log(
      `${name}: ${r.rps} req/s, p99 ${r.p99_ms} ms, cpu ${r.cpu_ms_per_request} ms, ` +
        `errors ${r.errors}, db trips ${r.db_round_trips_per_request}` +
        (r.cpu_over_floor === undefined
          ? ""
          : `, floor ${r.floor_cpu_ms_per_request} ms, ÷ floor ${r.cpu_over_floor} (runs ${r.cpu_over_floor_runs?.join(", ")})`) +
        (r.cpu_over_baseline === undefined ? "" : `, ÷ without ${r.cpu_over_baseline} (${r.cpu_over_baseline_runs})`) +
        (REPEAT > 1 ? ` (median of ${REPEAT}; cpu ${mine.map((m) => m.cpu_ms_per_request).join(", ")})` : ""),
    );
    const theirs = against && runs.get(against);
    if (theirs) {
      comparisons.push({ name, against: theirs, current: mine });
      const cpu = (rs: ScenarioResult[]) => rs.map((m) => m.cpu_ms_per_request ?? 0);
      console.log(
        `  against: cpu ${cpu(theirs).join(", ")} → ${cpu(mine).join(", ")} ms (${change(cpuRatios(mine, theirs))}), ` +
          `p99 ${median(theirs.map((m) => m.p99_ms))} → ${r.p99_ms} ms`,
      );
    }
  }
  await against?.mf.dispose();
  await full.mf.dispose();
  await floor.mf.dispose();
  await sql.close();
  await provider.close();
  return { results, comparisons };
}

interface Goal {
  goal: string;
  value: number | undefined;
  met: boolean;
}

/** A create's CPU once a webhook endpoint takes its events ÷ without one (PostgreSQL), in the same runs. */
const endpointCost = (results: Record<string, ScenarioResult>) =>
  results[`${ENDPOINT_SCENARIO} [postgres]`]?.cpu_over_baseline;

/**
 * A read's CPU with an identity provider's RS256 token ÷ with this service's HS256 one (PostgreSQL),
 * each against the stack floor in its own runs: the two scenarios run minutes apart, and
 * the floor takes out what the machine did in between.
 */
function tokenCost(results: Record<string, ScenarioResult>): number | undefined {
  const rs = results["GET /v1/orders/:id, RS256 token (db +0ms) [postgres]"]?.cpu_over_floor;
  const hs = results["GET /v1/orders/:id (db +0ms) [postgres]"]?.cpu_over_floor;
  return rs && hs ? Math.round((rs / hs) * 1000) / 1000 : undefined;
}

/** The goals of docs/benchmarks.md, judged on this run's own figures. */
function goalsOf(
  results: Record<string, ScenarioResult>,
  fullOverBare: number,
  startup: { over_floor: number | undefined },
  gzipBytes: number,
  floorGzipBytes: number,
): Goal[] {
  const over = (scenario: string) => results[`${scenario} (db +0ms) [postgres]`]?.cpu_over_floor;
  const atMost = (goal: string, value: number | undefined, bound: number) => ({
    goal,
    value,
    met: value !== undefined && value <= bound,
  });
  return [
    atMost("read by id, cpu_over_floor ≤ 1.00", over("GET /v1/orders/:id"), 1.0),
    atMost("list of 50 with items, cpu_over_floor ≤ 0.80", over("GET /v1/orders?include=items&limit=50"), 0.8),
    atMost("create with 10 items, cpu_over_floor ≤ 1.10", over("POST /v1/orders 10 items + key"), 1.1),
    atMost("create with a webhook endpoint ÷ without ≤ 1.10", endpointCost(results), 1.1),
    // Guards: a change must not cross them.
    { goal: "full chain ÷ bare Hono on /healthz ≥ 0.80", value: fullOverBare || undefined, met: fullOverBare >= 0.8 },
    atMost("startup ÷ the stack floor's ≤ 2.5", startup.over_floor, 2.5),
    atMost("bundle − the stack floor's ≤ 60 KiB gzip", Math.round(((gzipBytes - floorGzipBytes) / 1024) * 10) / 10, 60),
  ];
}

/**
 * The full chain ÷ bare Hono on /healthz: BENCH_REPEAT interleaved runs against the same two workers,
 * every other run in the other order. Not in the same seconds, as the orders scenarios are: this ratio
 * is of requests per second, which two workers sharing a CPU would split between them.
 */
async function healthzRuns(bundleFile: string, bareFile: string) {
  const results: Record<string, ScenarioResult> = {};
  const ratios: number[] = [];
  const noDb = await startWorker(
    bundleFile,
    {
      JWT_SECRET: SECRET,
      WEBHOOK_ENCRYPTION_KEY: SECRET,
      DATABASE_URL: "postgres://bench:bench@localhost/none",
      LOG_LEVEL: "error",
    },
    { limiters: true },
  );
  const baseline = await startWorker(bareFile, {});
  const healthz: autocannon.Request = { method: "GET", path: "/healthz" };
  await warmUp(baseline, healthz);
  await warmUp(noDb, healthz);
  for (let run = 1; run <= REPEAT; run++) {
    let b: Awaited<ReturnType<typeof drive>>;
    let f: typeof b;
    if (run % 2) {
      b = await drive(baseline, healthz);
      f = await drive(noDb, healthz);
    } else {
      f = await drive(noDb, healthz);
      b = await drive(baseline, healthz);
    }
    ratios.push(Math.round((f.summary.rps / Math.max(1, b.summary.rps)) * 1000) / 1000);
    results[`bare hono GET /healthz (run ${run})`] = b.summary;
    results[`full chain GET /healthz (run ${run})`] = f.summary;
    console.log(
      `/healthz run ${run}: bare ${b.summary.rps} req/s, full ${f.summary.rps} req/s, ratio ${ratios.at(-1)}`,
    );
  }
  await noDb.mf.dispose();
  await baseline.mf.dispose();
  return { results, ratios };
}

/**
 * Startup of the three uploads, STARTUP_RUNS interleaved profiles each. As for the orders scenarios: run by
 * run, the worker's ÷ the floor's, and the median; a run in which the profiler saw either one's startup
 * not at all has no ratio.
 */
function startupFigures(uploads: { worker: string; bare: string; floor: string } | undefined) {
  const runsMs = uploads ? startupRuns(uploads) : { worker: [], bare: [], floor: [] };
  const worker = runsMs.worker ?? [];
  const floor = runsMs.floor ?? [];
  const paired = worker.flatMap((ms, i) => {
    const floorMs = floor[i];
    return ms !== null && floorMs != null ? [[ms, floorMs] as const] : [];
  });
  const ratios = runRatios(
    paired.map(([ms]) => ms),
    paired.map(([, floorMs]) => floorMs),
  );
  return {
    active_ms: medianSeen(worker),
    bare_active_ms: medianSeen(runsMs.bare),
    stack_floor_active_ms: medianSeen(floor),
    over_floor: ratios.length > 0 ? median(ratios) : undefined,
    over_floor_runs: ratios,
    runs_ms: runsMs,
  };
}

type Build = ReturnType<typeof build>;
type Startup = ReturnType<typeof startupFigures>;

/** What bench/results/latest.json records of a run. */
function reportOf(
  results: Record<string, ScenarioResult>,
  healthzRatios: number[],
  startup: Startup,
  builds: { bundle: Build; bare: Build; floor: Build; top: ReturnType<typeof contributors> },
  withPostgres: boolean,
) {
  const { bundle, bare, floor, top } = builds;
  return {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, date: new Date().toISOString() },
    settings: {
      duration_s: DURATION_S,
      connections: CONNECTIONS,
      database: `PGlite${withPostgres ? " and PostgreSQL" : ""} via the local SQL-over-HTTP server`,
    },
    scenarios: results,
    ratios: {
      full_over_bare: median(healthzRatios),
      full_over_bare_runs: healthzRatios,
      rs256_read_over_hs256_read: tokenCost(results),
      create_with_endpoint_over_create: endpointCost(results),
    },
    db_round_trips_per_request: Object.fromEntries(
      Object.entries(results)
        .filter(([, r]) => r.db_round_trips_per_request !== undefined)
        .map(([name, r]) => [name, r.db_round_trips_per_request]),
    ),
    goals: goalsOf(results, median(healthzRatios), startup, bundle.gzip_bytes, floor.gzip_bytes),
    startup,
    bundle: { raw_bytes: bundle.raw_bytes, gzip_bytes: bundle.gzip_bytes, top_contributors_minified_bytes: top },
    bare_bundle: { raw_bytes: bare.raw_bytes, gzip_bytes: bare.gzip_bytes },
    stack_floor_bundle: { raw_bytes: floor.raw_bytes, gzip_bytes: floor.gzip_bytes },
  };
}

type Report = ReturnType<typeof reportOf>;

function record(report: Report) {
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    "bench/results/latest.svg",
    barChart(
      `order-service: requests/s (${report.machine.cpus} CPUs, ${CONNECTIONS} connections)`,
      Object.entries(report.scenarios).map(([label, r]) => ({ label, value: r.rps })),
    ),
  );
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** The scenarios' table. */
function printTable(results: Record<string, ScenarioResult>) {
  console.log(
    "\nscenario".padEnd(66) +
      "req/s".padStart(8) +
      "p50 ms".padStart(9) +
      "p99 ms".padStart(9) +
      "errors".padStart(8) +
      "cpu ms/req".padStart(12) +
      "db trips".padStart(10) +
      "÷ floor".padStart(9),
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      name.padEnd(65) +
        String(r.rps).padStart(8) +
        String(r.p50_ms).padStart(9) +
        String(r.p99_ms).padStart(9) +
        String(r.errors).padStart(8) +
        String(r.cpu_ms_per_request ?? "").padStart(12) +
        String(r.db_round_trips_per_request ?? "").padStart(10) +
        String(r.cpu_over_floor ?? (r.cpu_over_baseline === undefined ? "" : `${r.cpu_over_baseline}*`)).padStart(9),
    );
  }
  if (Object.values(results).some((r) => r.cpu_over_baseline !== undefined))
    console.log("* ÷ the same create on a database without the endpoint, driven at the same time (not ÷ the floor)");
}

/** The whole-run figures: /healthz, startup, the bundle, the goals and the two ratios. */
function printFigures(report: Report) {
  const { ratios, startup, bundle, bare_bundle: bare, stack_floor_bundle: floor } = report;
  console.log(
    `\nfull chain ÷ bare on /healthz: median ${ratios.full_over_bare} of ${ratios.full_over_bare_runs.join(", ")}`,
  );
  console.log(
    `startup (active CPU, median of ${STARTUP_RUNS}): ${startupFigure(startup.runs_ms.worker)}, ` +
      `bare Hono ${startupFigure(startup.runs_ms.bare)}, ` +
      `stack floor (Hono + Drizzle over the Neon driver) ${startupFigure(startup.runs_ms.floor)}; ` +
      `÷ floor ${startup.over_floor ?? "not measured"} (runs ${startup.over_floor_runs.join(", ")})`,
  );
  console.log(
    `bundle: ${kib(bundle.raw_bytes)} raw, ${kib(bundle.gzip_bytes)} gzip (bare Hono: ${kib(bare.gzip_bytes)}, ` +
      `stack floor: ${kib(floor.gzip_bytes)} gzip)`,
  );
  const top = bundle.top_contributors_minified_bytes;
  console.log(`largest contributors (minified): ${top.map((t) => `${t.name} ${kib(t.bytes)}`).join(", ")}`);
  console.log("\ngoals (docs/benchmarks.md), on PostgreSQL where the database is in it:");
  for (const g of report.goals)
    console.log(`  ${g.met ? "met    " : "NOT MET"} ${g.goal}: ${g.value ?? "not measured"}`);
  console.log(
    `a read with an RS256 token ÷ with an HS256 one (CPU): ${ratios.rs256_read_over_hs256_read ?? "not measured"}`,
  );
  console.log(
    `a create with one webhook endpoint ÷ without (CPU): ${ratios.create_with_endpoint_over_create ?? "not measured"}`,
  );
}

/**
 * BENCH_AGAINST: each scenario's median CPU and p99 at that commit and in this checkout, the change (the
 * median of the runs' own ratios, this checkout ÷ that commit, run by run), and their range, to show how
 * far the runs agree.
 */
function printComparisons(commit: string, comparisons: Comparison[]) {
  console.log(`\nthis checkout against ${AGAINST} (${commit.slice(0, 7)}), median of ${REPEAT} runs together:`);
  for (const { name, against: theirs, current } of comparisons) {
    const cpu = (rs: ScenarioResult[]) => median(rs.map((r) => r.cpu_ms_per_request ?? 0));
    const p99 = (rs: ScenarioResult[]) => median(rs.map((r) => r.p99_ms));
    const ratios = cpuRatios(current, theirs);
    console.log(
      `${name.padEnd(65)} cpu ${cpu(theirs)} → ${cpu(current)} ms (${change(ratios)}; ` +
        `runs ×${Math.min(...ratios)}–${Math.max(...ratios)}), p99 ${p99(theirs)} → ${p99(current)} ms`,
    );
  }
}

/** What fails the run: a non-2xx answer or an error, or a request that took other than one round trip. */
const failuresOf = (results: Record<string, ScenarioResult>, comparisons: Comparison[]) => [
  ...Object.entries(results)
    .filter(([, r]) => r.errors > 0)
    .map(([name, r]) => `${name}: ${r.errors} non-2xx answers or errors`),
  ...comparisons
    .filter((c) => c.against.some((r) => r.errors > 0))
    .map((c) => `${c.name}: non-2xx answers or errors from the worker at ${AGAINST}`),
  ...Object.entries(results)
    .filter(([, r]) => r.db_round_trips_per_request !== undefined && r.db_round_trips_per_request !== 1)
    .map(([name, r]) => `${name}: ${r.db_round_trips_per_request} database round trips per request, not 1`),
];

async function main() {
  pin(process.pid, 0);
  mkdirSync(OUT, { recursive: true });
  console.log("building the worker as deployed…");
  const bundle = build(undefined, `${OUT}/worker`);
  const bare = build(baselineConfig(OUT, "bare-hono", "bench/bare/worker.ts"), `${OUT}/bare`);
  const floor = build(baselineConfig(OUT, "stack-floor", "bench/floor/worker.ts"), `${OUT}/floor`);
  const top = contributors(`${OUT}/worker/meta.json`);
  if (AGAINST) console.log(`building the worker at ${AGAINST}…`);
  const against = AGAINST ? buildAgainst(AGAINST, OUT) : undefined;

  const healthz = selected("GET /healthz") ? await healthzRuns(bundle.file, bare.file) : { results: {}, ratios: [] };
  const results: Record<string, ScenarioResult> = { ...healthz.results };

  const pgUrl = await postgresUrl();
  if (!pgUrl) console.log("no PostgreSQL answers (BENCH_DATABASE_URL): database scenarios on PGlite only");
  const comparisons: Comparison[] = [];
  for (const [backend, url] of [["pglite", undefined], ...(pgUrl ? [["postgres", pgUrl] as const] : [])] as const) {
    const run = await databaseScenarios(backend, bundle.file, floor.file, url, against?.file);
    Object.assign(results, run.results);
    comparisons.push(...run.comparisons);
  }

  // Last: its short-lived workerd processes must not overlap the load runs above.
  const profileStartup = !AGAINST && selected("startup");
  if (profileStartup) console.log("profiling startup (wrangler check startup)…");
  const startup = startupFigures(
    profileStartup ? { worker: bundle.upload, bare: bare.upload, floor: floor.upload } : undefined,
  );

  const report = reportOf(results, healthz.ratios, startup, { bundle, bare, floor, top }, Boolean(pgUrl));
  // A partial run (BENCH_ONLY) or a comparison (BENCH_AGAINST) prints its figures but leaves the
  // recorded results alone.
  if (RECORDING) record(report);
  printTable(results);
  printFigures(report);
  if (RECORDING) console.log("wrote bench/results/latest.json and bench/results/latest.svg");
  if (against) printComparisons(against.commit, comparisons);

  const failures = failuresOf(results, comparisons);
  if (failures.length > 0) {
    console.error(`bench failed:\n${failures.join("\n")}`);
    process.exit(1);
  }
}

await main();
