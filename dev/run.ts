/**
 * `npm run dev`: serves the worker with `wrangler dev` on PORT (default 8787), with settings
 * from the environment, then `.dev.vars`, then development defaults. Ctrl-C stops everything.
 */
import { spawn } from "node:child_process";
import { resolveSettings, WORKER_SETTINGS } from "./settings.ts";

const settings = resolveSettings();
const port = settings.PORT ?? "8787";

const vars = WORKER_SETTINGS.filter((key) => settings[key] !== undefined).flatMap((key) => [
  "--var",
  `${key}:${settings[key]}`,
]);

const wrangler = spawn(
  process.execPath,
  [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--port",
    port,
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    ...vars,
  ],
  { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);

const stop = () => wrangler.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
