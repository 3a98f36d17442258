/**
 * `npm run dev`: the whole service on this machine.
 * - Database: DATABASE_URL (e.g. Neon) is used directly when set. Otherwise a local SQL-over-HTTP
 *   server starts in this process, in front of embedded PGlite (data in .data/pglite) or, with
 *   LOCAL_DATABASE_URL=postgres://…, a real PostgreSQL; migrations are applied before serving.
 * - Worker: `wrangler dev` on PORT (default 8787) with settings from the environment, then
 *   .dev.vars, then development defaults; arguments after `--` go to wrangler as they are.
 * Ctrl-C stops both.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describeRun } from "../scripts/migrations/migrator.ts";
import { serveDevProvider } from "./dev-keys.ts";
import { envFileText, resolveSettings } from "./settings.ts";
import { createProvider } from "./sql-server/provider.ts";
import { type SqlServer, startSqlServer } from "./sql-server/server.ts";
import { writeDevWranglerConfig } from "./wrangler-config.ts";

const USAGE = `usage: npm run dev [-- <wrangler dev options>]

The API on PORT (8787); settings from the environment, then .dev.vars, then defaults. DATABASE_URL or
LOCAL_DATABASE_URL pick the database; SQL_PORT and JWKS_PORT the local SQL server's and identity
provider's ports (free ones by default). Options after -- reach wrangler dev as they are, e.g.
--inspector-port 9230 (a free port is chosen otherwise, so two checkouts run side by side).
docs/local-development.md`;

// Everything is wrangler's but a request for this text: wrangler's own flags reach it unchanged.
const wranglerArgs = process.argv.slice(2);
if (wranglerArgs.length === 1 && ["-h", "--help"].includes(wranglerArgs[0] ?? "")) {
  console.log(USAGE);
  process.exit(0);
}

/** A port nothing listens on now, for a listener that is not ours to start (workerd's inspector). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
    probe.on("error", reject);
  });
}

const LOCAL_DATABASE = "order_service";

const settings = resolveSettings();
const port = settings.PORT ?? "8787";

// Settings reach wrangler through files only this user can read (never as `--var` arguments,
// which every local user sees in `ps`), deleted when the runner stops. The wrangler config comes
// first: a rate limit the binding cannot count stops the runner before anything starts.
const settingsDir = mkdtempSync(join(tmpdir(), "order-service-dev-"));
let configFile: string;
try {
  configFile = writeDevWranglerConfig(settings, settingsDir);
} catch (err) {
  rmSync(settingsDir, { recursive: true, force: true });
  console.error(`[dev] ${(err as Error).message}`);
  process.exit(1);
}

let sqlServer: SqlServer | undefined;
if (!settings.DATABASE_URL) {
  const localUrl = process.env.LOCAL_DATABASE_URL;
  const provider = createProvider({
    databaseUrl: localUrl,
    dataDir: localUrl ? undefined : ".data/pglite",
    migrationsFolder: "migrations",
    // What changed, as a release says it: a contract step waits for the next start, as for the next release.
    onMigrated: (database, run) => {
      if (run.applied.length + run.deferred.length > 0)
        console.log(`[dev] ${database}: ${describeRun(run, "the next start of npm run dev")}`);
    },
    createDatabases: Boolean(localUrl),
  });
  sqlServer = await startSqlServer({ provider, port: Number(process.env.SQL_PORT ?? 0) });
  try {
    await provider.get(LOCAL_DATABASE); // creates and migrates it before the first request
  } catch (err) {
    // A stock PostgreSQL has no database `test`: say what to change instead of a stack trace.
    const where = localUrl ? `PostgreSQL at ${new URL(localUrl).host}${new URL(localUrl).pathname}` : ".data/pglite";
    console.error(`[dev] cannot open the local database (${where}): ${err instanceof Error ? err.message : err}`);
    if (localUrl) {
      console.error(
        "[dev] LOCAL_DATABASE_URL must name a database that exists (postgres exists on every server); " +
          `${LOCAL_DATABASE} is created next to it.`,
      );
    }
    await sqlServer.close();
    rmSync(settingsDir, { recursive: true, force: true });
    process.exit(1);
  }
  settings.DATABASE_URL = `postgres://order_service_app:dev@localhost/${LOCAL_DATABASE}`;
  settings.DATABASE_HTTP_ENDPOINT = sqlServer.url;
  const where = localUrl ? `PostgreSQL at ${new URL(localUrl).host}` : "embedded PGlite in .data/pglite";
  console.log(`[dev] SQL over HTTP at ${sqlServer.url} → ${where} (database ${LOCAL_DATABASE}, migrated)`);
} else {
  console.log("[dev] using DATABASE_URL directly");
}

// An identity provider of this machine's own, when its tokens are asked for and none is named.
let provider: Awaited<ReturnType<typeof serveDevProvider>> | undefined;
if (settings.JWT_MODES?.includes("jwks") && !settings.JWT_JWKS_URL) {
  provider = await serveDevProvider({ port: Number(process.env.JWKS_PORT ?? 0), maxAgeSeconds: 300 });
  settings.JWT_JWKS_URL = provider.url;
  console.log(`[dev] identity provider's keys at ${settings.JWT_JWKS_URL} (npm run token -- --alg RS256|ES256|EdDSA)`);
}

const settingsFile = join(settingsDir, "worker.env");
writeFileSync(settingsFile, envFileText(settings), { mode: 0o600 });

// From the settings' folder: wrangler dev compares ./worker-configuration.d.ts with the configuration
// it serves, and this one (optional secrets declared, no environments) is not the one the types are
// generated from, so from the project's folder it would tell a newcomer the types are out of date.
const wrangler = spawn(
  process.execPath,
  [
    resolve("node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--config",
    configFile,
    "--port",
    port,
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    "--test-scheduled",
    "--env-file",
    settingsFile,
    // workerd's inspector takes 127.0.0.1:9229 unless told otherwise, and a second checkout's would fail.
    ...(wranglerArgs.some((a) => a.startsWith("--inspector-port"))
      ? []
      : ["--inspector-port", String(await freePort())]),
    ...wranglerArgs,
  ],
  {
    cwd: settingsDir,
    stdio: "inherit",
    // CLOUDFLARE_CF_FETCH_ENABLED=false: Miniflare serves its placeholder Request.cf instead of fetching
    // workers.cloudflare.com/cf.json at each start (a warning and a stack trace twice when offline).
    env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env, WRANGLER_SEND_METRICS: "false" },
  },
);

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (wrangler.exitCode === null) wrangler.kill("SIGINT");
    rmSync(settingsDir, { recursive: true, force: true });
    await sqlServer?.close().catch(() => undefined);
    await provider?.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
wrangler.on("exit", (code) => void stop(code ?? 0));
