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
