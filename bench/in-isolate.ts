/**
 * `npm run bench:isolate`: a read and a list by the service against the stack floor's same work, inside
 * the isolate. bench/in-isolate/driver.ts calls each app in a loop of its own, 16 requests at a time,
 * with no HTTP in between; the platform's bindings are the benchmark's stand-ins (bench/stand-ins.ts) and
 * the database is live. Each side runs in a workerd process of its own, both on CPU 1, driven in the same
 * seconds; a run's figure is the ratio of their CPU, and the result the median of nine runs.
 * `BENCH_AGAINST=<git ref>`: the other side is the service at that commit, to judge a change.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { cli } from "../scripts/cli.ts";
import { inWorktree, wranglerBundle } from "./against.ts";
import { baselineConfig } from "./compatibility.ts";
import { median } from "./median.ts";
import { children, cpuTicks, pin, startSqlProcess, workerdsSince } from "./processes.ts";
import { onPlatform } from "./stand-ins.ts";

cli(
  "usage: npm run bench:isolate   (settings in the environment: BENCH_AGAINST, BENCH_REPEAT, BENCH_REQUESTS,\n" +
    "BENCH_CONNECTIONS, BENCH_DATABASE_URL; docs/benchmarks.md)",
  {},
);

const OUT = "bench/out";
const DRIVER = "bench/in-isolate/driver.ts";
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 9));
const REQUESTS = Math.max(1, Number(process.env.BENCH_REQUESTS ?? 2000));
const CONNECTIONS = Math.max(1, Number(process.env.BENCH_CONNECTIONS ?? 16));
const AGAINST = process.env.BENCH_AGAINST || undefined;
const SECRET = "bench-secret-bench-secret-bench-secret-0123";

/** The driver built as a worker is deployed (wrangler, the deployed compatibility settings), from `tree`'s sources. */
function buildDriver(tree: string, outdir: string): string {
  const config = baselineConfig(resolve(tree, OUT), "in-isolate", resolve(tree, DRIVER));
  return wranglerBundle(tree, resolve(outdir), config);
}

/** The driver under workerd with the stand-ins, pinned to CPU 1; `run` drives a scenario, `ticks` is its CPU. */
async function startDriver(name: string, scriptPath: string, sqlUrl: string) {
  const before = new Set(children());
  const bindings = {
    JWT_SECRET: SECRET,
    WEBHOOK_ENCRYPTION_KEY: SECRET,
    DATABASE_URL: "postgres://bench:bench@localhost/bench_isolate",
    DATABASE_HTTP_ENDPOINT: sqlUrl,
    LOG_LEVEL: "error",
  };
  const mf = new Miniflare(convertV4MiniflareOptions(onPlatform(name, scriptPath, bindings)));
  await mf.ready;
  const pids = workerdsSince(before);
  for (const pid of pids) pin(pid, 1);
  return {
    mf,
    ticks: () => pids.reduce((sum, pid) => sum + cpuTicks(pid), 0),
    run: async (scenario: string, n: number) => {
      const res = await mf.dispatchFetch(`http://bench/?scenario=${scenario}&n=${n}&c=${CONNECTIONS}`);
      const body = await res.text();
      if (body !== "ok") throw new Error(`${name}, ${scenario}: ${body}`);
    },
  };
}
type Driver = Awaited<ReturnType<typeof startDriver>>;

/** `a` and `b` driven in the same seconds, run after run: each run's ratio of their CPU. */
async function pairedRatios(a: Driver, aScenario: string, b: Driver, bScenario: string): Promise<number[]> {
  await Promise.all([a.run(aScenario, REQUESTS / 2), b.run(bScenario, REQUESTS / 2)]);
  const ratios: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const [a0, b0] = [a.ticks(), b.ticks()];
    await Promise.all([a.run(aScenario, REQUESTS), b.run(bScenario, REQUESTS)]);
    ratios.push((a.ticks() - a0) / Math.max(1, b.ticks() - b0));
  }
  return ratios;
}

async function main() {
  pin(process.pid, 0);
  mkdirSync(OUT, { recursive: true });
  console.log("building the in-isolate driver…");
  const here = buildDriver(".", `${OUT}/in-isolate`);
  const against = AGAINST
    ? inWorktree(AGAINST, OUT, (tree) => {
        // The driver as it is here, over that commit's service.
        mkdirSync(dirname(resolve(tree, DRIVER)), { recursive: true });
        copyFileSync(DRIVER, resolve(tree, DRIVER));
        return buildDriver(tree, `${OUT}/in-isolate-against`);
      })
    : undefined;
  const sql = await startSqlProcess(process.env.BENCH_DATABASE_URL);
  const a = await startDriver("service", here, sql.url);
  const b = await startDriver(against ? "against" : "floor", against?.built ?? here, sql.url);
  try {
    const other = against ? `the service at ${AGAINST} (${against.commit.slice(0, 7)})` : "the stack floor";
    console.log(`the service ÷ ${other}, CPU in the same seconds, median of ${REPEAT} runs:`);
    for (const scenario of ["read", "list"]) {
      const ratios = await pairedRatios(a, scenario, b, against ? scenario : `floor-${scenario}`);
      const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
      console.log(`  ${scenario}: ×${median(ratios).toFixed(3)} (runs ${range})`);
    }
  } finally {
    await Promise.all([a.mf.dispose(), b.mf.dispose()]);
    await sql.close();
  }
}

await main();
