import { mkdirSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { unstable_readConfig } from "wrangler";

/**
 * The compatibility date and flags of wrangler.toml, so the benchmark's workerd runs the worker (and
 * the bare baseline) with the same runtime behaviour as a deploy: timers, AsyncLocalStorage and all.
 */
export function deployedCompatibility(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const config = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true });
  if (!config.compatibility_date) throw new Error("wrangler.toml has no compatibility_date");
  return { compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags };
}

/** A built worker as Miniflare serves it with the deployed compatibility settings (above). */
export const deployedWorker = (scriptPath: string, bindings: Record<string, string>) => ({
  modules: true,
  scriptPath,
  ...deployedCompatibility(),
  bindings,
});

/**
 * A wrangler config, written in `out`, for a baseline worker (bare Hono, the stack floor) with the
 * deployed compatibility date and flags and the same esbuild settings, so only the code differs.
 */
export function baselineConfig(out: string, name: string, main: string): string {
  const { compatibilityDate, compatibilityFlags } = deployedCompatibility();
  mkdirSync(out, { recursive: true });
  const file = `${out}/${name}.wrangler.toml`;
  writeFileSync(
    file,
    [
      `name = "${name}"`,
      `main = "${relative(out, main)}"`,
      `compatibility_date = "${compatibilityDate}"`,
      `compatibility_flags = ${JSON.stringify(compatibilityFlags)}`,
      "send_metrics = false",
      "keep_names = false",
      "",
    ].join("\n"),
  );
  return file;
}
