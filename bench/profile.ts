/**
 * `npm run bench:profile`: where the worker's CPU goes, per scenario, beside the stack floor's
 * (bench/floor) doing the same work. Builds both as deployed but unminified (so functions keep their
 * names), serves each with workerd through Miniflare with the inspector open, drives each scenario
 * with autocannon while workerd's V8 profiler samples (Chrome DevTools Protocol over the inspector's
 * WebSocket), the service and the floor in turn, and prints the JS per request of each and the
 * service's top self-time costs, then both sides' JS per request by where it was spent (a package,
 * one of our files, one of Hono's middleware; the runtime's native work counted in the module that
 * called it). Writes bench/out/profile-*.cpuprofile for DevTools.
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
import { baselineConfig } from "./compatibility.ts";
import { createOrder, floorCreate, seedOrders } from "./requests.ts";
import { onPlatform } from "./stand-ins.ts";

cli(
  "usage: npm run bench:profile   (where the worker's CPU goes per scenario, and the floor's; docs/benchmarks.md)",
  {},
);

const SECRET = "bench-secret-bench-secret-bench-secret-0123";
const OUT = "bench/out";
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9231);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
/** Each side's runs per scenario, in turn; a side's figures are the median run's (by JS per request). */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
/** The rows of the comparison by where the JS was spent. */
const ROWS = 18;

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
 * `// node_modules/…`, `// src/…` or (the floor, built from bench/out) `// ../floor/…` comment.
 * A package is one module, but for Hono's middleware, each of which is named.
 */
function moduleOfLine(bundle: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  bundle.split("\n").forEach((text, line) => {
    const path = /^\/\/ (\S+)$/.exec(text)?.[1]?.replace(/^(\.\.\/)+/, "");
    if (!path) return;
    const middleware = /^node_modules\/hono\/dist\/middleware\/([^/]+)\//.exec(path)?.[1];
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    const module = middleware ? `hono/${middleware}` : (pkg ?? (/^(src|floor)\//.test(path) ? path : undefined));
    if (module) starts.push({ line, module });
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

/**
 * A profile's self time (µs) by function and by where it was spent, idle left out. The time is the
 * profile's, shared out by samples: every sample that is not idle counts for the same time. Under load
 * on this VM the sampler runs late (the median sample comes 260 µs after the one before, one in ten
 * after 2 ms, the latest after 130 ms): counted by its own interval, a late sample took the whole gap
 * for the function it happened to hit, and one such sample put 54 µs of every read on Hono's router,
 * whose share of the samples is 10 µs.
 */
function selfTimes(profile: CpuProfile, moduleOf: (line: number) => string) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  /** The module of the nearest frame with a source: where the runtime's native work was called from. */
  const caller = (id: number | undefined): string | undefined => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { url, lineNumber } = byId.get(at)?.callFrame ?? { url: "", lineNumber: 0 };
      if (url) return /^[a-z-]+:/.test(url) ? url.replace(/:\d+$/, "") : moduleOf(lineNumber);
    }
    return undefined;
  };
  const byFunction = new Map<string, number>();
  const byWhere = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, micros: number) => map.set(key, (map.get(key) ?? 0) + micros);
  const active = profile.samples.flatMap((id, i) => {
    const frame = byId.get(id)?.callFrame;
    return frame && frame.functionName !== "(idle)" ? [{ id, frame, micros: profile.timeDeltas[i] ?? 0 }] : [];
  });
  const activeMicros = active.reduce((total, sample) => total + sample.micros, 0);
  const micros = activeMicros / Math.max(1, active.length);
  for (const { id, frame } of active) {
    const where = caller(id);
    add(byFunction, `${frame.functionName || "(anonymous)"} — ${frame.url ? where : "(runtime)"}`, micros);
    add(byWhere, where ?? `(runtime) ${frame.functionName || "(anonymous)"}`, micros);
  }
  return { byFunction, byWhere, active: activeMicros };
}

/** One side's profiled run of a scenario: JS per request, and its self time per request. */
interface Run {
  msPerRequest: number;
  byFunction: Map<string, number>;
  byWhere: Map<string, number>;
  file: string;
}

const perRequest = (map: Map<string, number>, requests: number) =>
  new Map([...map].map(([key, micros]) => [key, micros / requests]));

/** Builds a worker unminified; returns its bundle's path. */
function build(outdir: string, config?: string) {
  const args = ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", resolve(outdir)];
  execFileSync(process.execPath, config ? [...args, "-c", config] : args, {
    stdio: "ignore",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const script = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!script) throw new Error(`no bundle in ${outdir}`);
  return `${outdir}/${script}`;
}

/**
 * A worker served with its inspector open and the platform's bindings as the benchmark gives them
 * (bench/stand-ins.ts): Miniflare's simulation of the Rate Limiting binding runs its JS in the
 * worker's own isolate, where it was 5-7 % of an orders request's profile, named as ours.
 */
async function serve(name: string, scriptPath: string, bindings: Record<string, string>, inspectorPort: number) {
  const moduleOf = moduleOfLine(readFileSync(scriptPath, "utf8"));
  const mf = new Miniflare({
    ...convertV4MiniflareOptions(onPlatform(name, scriptPath, bindings)),
    inspectorPort,
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const cdp = await inspector(inspectorPort, name);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  /** One profiled run of a request; its profile written to `file`. */
  const profile = async (request: autocannon.Request, file: string) => {
    await cdp.send("Profiler.start");
    const result = await autocannon({ url, connections: 8, duration: DURATION_S, requests: [request] });
    const { profile: taken } = (await cdp.send("Profiler.stop")) as { profile: CpuProfile };
    writeFileSync(file, JSON.stringify(taken));
    const requests = Math.max(1, result.requests.total);
    const times = selfTimes(taken, moduleOf);
    return {
      msPerRequest: times.active / 1000 / requests,
      byFunction: perRequest(times.byFunction, requests),
      byWhere: perRequest(times.byWhere, requests),
      file,
    } satisfies Run;
  };
  const close = async () => {
    cdp.close();
    await mf.dispose();
  };
  return { url, profile, close };
}

type Served = Awaited<ReturnType<typeof serve>>;

/** A scenario on the service and, where the floor does the same work, on the floor. */
interface Scenario {
  name: string;
  request: autocannon.Request;
  floorRequest?: autocannon.Request;
}

const median = (runs: Run[]) => [...runs].sort((a, b) => a.msPerRequest - b.msPerRequest)[Math.floor(runs.length / 2)];

function report(name: string, service: Run, floor: Run | undefined) {
  const ratio = floor
    ? ` ÷ the floor's ${floor.msPerRequest.toFixed(3)} = ${(service.msPerRequest / floor.msPerRequest).toFixed(2)}`
    : "";
  console.log(`\n${name}: ${service.msPerRequest.toFixed(3)} ms of JS per request${ratio}`);
  const total = service.msPerRequest * 1000;
  for (const [fn, micros] of [...service.byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)} %  ${fn}`);
  }
  console.log(`  (${service.file}${floor ? `, ${floor.file}` : ""})`);
  if (!floor) return;
  console.log("  µs of JS per request by where   service    floor");
  const keys = new Set([...service.byWhere.keys(), ...floor.byWhere.keys()]);
  const rows = [...keys].map((key) => ({
    key,
    mine: service.byWhere.get(key) ?? 0,
    floor: floor.byWhere.get(key) ?? 0,
  }));
  rows.sort((a, b) => Math.max(b.mine, b.floor) - Math.max(a.mine, a.floor));
  const line = (label: string, mine: number, theirs: number) =>
    console.log(`  ${label.padEnd(32).slice(0, 32)} ${mine.toFixed(0).padStart(7)}  ${theirs.toFixed(0).padStart(7)}`);
  for (const row of rows.slice(0, ROWS)) line(row.key, row.mine, row.floor);
  const rest = rows.slice(ROWS);
  line(`the other ${rest.length}`, sum(rest.map((r) => r.mine)), sum(rest.map((r) => r.floor)));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Each scenario's runs, the service's and the floor's in turn (every other round the floor first). */
async function profileScenarios(scenarios: Scenario[], service: Served, floor: Served) {
  for (const scenario of scenarios) {
    const slug = scenario.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
    const mine: Run[] = [];
    const theirs: Run[] = [];
    for (let round = 0; round < REPEAT; round++) {
      const sides = [
        async () => mine.push(await service.profile(scenario.request, `${OUT}/profile-${slug}.${round}.cpuprofile`)),
        async () => {
          const request = scenario.floorRequest;
          if (request) theirs.push(await floor.profile(request, `${OUT}/profile-floor-${slug}.${round}.cpuprofile`));
        },
      ];
      for (const side of round % 2 ? sides.reverse() : sides) await side();
    }
    const ours = median(mine);
    if (ours) report(scenario.name, ours, median(theirs));
  }
}

/** The scenarios: /healthz, and the three orders scenarios with the floor's same work. */
function scenarios(auth: string, customer: string, orderId: string): Scenario[] {
  const read = { method: "GET", headers: { authorization: auth } } as const;
  return [
    { name: "GET /healthz", request: { method: "GET", path: "/healthz" } },
    {
      name: "GET /v1/orders/:id",
      request: { ...read, path: `/v1/orders/${orderId}` },
      floorRequest: { method: "GET", path: `/orders/${orderId}` },
    },
    {
      name: "GET /v1/orders?include=items&limit=50",
      request: { ...read, path: "/v1/orders?include=items&limit=50" },
      floorRequest: { method: "GET", path: `/orders?customer_id=${customer}` },
    },
    {
      name: "POST /v1/orders",
      request: createOrder(auth),
      floorRequest: floorCreate(),
    },
  ];
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const serviceScript = build(`${OUT}/profile-worker`);
  const floorScript = build(`${OUT}/profile-floor`, baselineConfig(OUT, "profile-floor", "bench/floor/worker.ts"));
  const provider = createProvider({
    databaseUrl: process.env.BENCH_DATABASE_URL,
    migrationsFolder: "migrations",
    createDatabases: Boolean(process.env.BENCH_DATABASE_URL),
    dropCreatedOnClose: Boolean(process.env.BENCH_DATABASE_URL),
  });
  const sql = await startSqlServer({ provider });
  const database = `profile_${Date.now().toString(36)}`;
  await provider.get(database);
  const onDatabase = { DATABASE_URL: `postgres://bench:bench@localhost/${database}`, DATABASE_HTTP_ENDPOINT: sql.url };
  const service = await serve(
    "profiled",
    serviceScript,
    { ...onDatabase, JWT_SECRET: SECRET, WEBHOOK_ENCRYPTION_KEY: SECRET, LOG_LEVEL: "error" },
    INSPECTOR_PORT,
  );
  const floor = await serve("profiled-floor", floorScript, onDatabase, INSPECTOR_PORT + 1);
  const customer = crypto.randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const auth = `Bearer ${await sign({ sub: customer, iat: now, exp: now + 3600 }, SECRET, "HS256")}`;
  const orderId = await seedOrders(service.url, auth);
  await profileScenarios(scenarios(auth, customer, orderId), service, floor);
  await service.close();
  await floor.close();
  await sql.close();
}

await main();
