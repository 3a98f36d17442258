/**
 * wrangler as the release runs it: with the environment's `--env` and `--config`, its output shown,
 * and only wrangler's own variables in its environment (child-env.ts). RELEASE_WRANGLER names another
 * executable to run instead (the tests' double, test/support/wrangler-double.ts).
 */
import { spawnSync } from "node:child_process";
import { childEnv, WRANGLER_ENV } from "./child-env.ts";

export interface Wrangler {
  /** Runs wrangler; a non-zero exit stops the release with its output. Returns stdout. */
  run(args: string[]): string;
  /** Runs wrangler and reports how it went, for answers the release acts on. */
  attempt(args: string[]): { ok: boolean; output: string };
}

export function wranglerFor({
  env,
  config,
  log,
  fail,
}: {
  env: string;
  config: string;
  log: (line: string) => void;
  fail: (message: string) => never;
}): Wrangler {
  const entry = process.env.RELEASE_WRANGLER || "node_modules/wrangler/bin/wrangler.js";
  const attempt = (args: string[]) => {
    const full = [...args, "--env", env, "--config", config];
    log(`  $ wrangler ${full.join(" ")}`);
    const result = spawnSync(process.execPath, [entry, ...full], {
      encoding: "utf8",
      env: childEnv(WRANGLER_ENV, { WRANGLER_SEND_METRICS: "false" }),
    });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    return { ok: result.status === 0, output, stdout: result.stdout ?? "" };
  };
  return {
    attempt: (args) => {
      const { ok, output } = attempt(args);
      return { ok, output };
    },
    run(args) {
      const { ok, output, stdout } = attempt(args);
      if (output.trim()) log(output.trimEnd().replace(/^/gm, "    "));
      if (!ok) fail(`\`wrangler ${args.slice(0, 2).join(" ")}\` failed`);
      return stdout;
    },
  };
}
