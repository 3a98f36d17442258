import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";
import { parseRateRule } from "../src/limiters/rate-rule.ts";

/** Secrets the worker reads when set (docs/configuration.md). */
export const OPTIONAL_SECRETS = [
  "METRICS_TOKEN",
  "JWT_SECRET_PREVIOUS",
  "SMOKE_SECRET",
  "WEBHOOK_ENCRYPTION_KEY_PREVIOUS",
] as const;

/** The binding each rate-limit setting configures, as wrangler.toml names them. */
const LIMITERS = { RATE_LIMIT_IP: "IP_RATE_LIMITER", RATE_LIMIT_USER: "USER_RATE_LIMITER" } as const;

/**
 * `N/10s` or `N/60s`, as the binding's `simple = { limit, period }`: the only periods Cloudflare's
 * Rate Limiting binding counts in (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 * Anything else is an error naming the setting, before anything starts.
 */
export function bindingLimit(setting: string, value: string): { limit: number; period: 10 | 60 } {
  const rule = parseRateRule(value.trim());
  if (!rule) {
    throw new Error(
      `${setting}=${value}: must be "<requests>/10s" or "<requests>/60s" (e.g. 20/60s), the periods ` +
        "Cloudflare's Rate Limiting binding counts in",
    );
  }
  return { limit: rule.limit, period: rule.periodSeconds };
}

/**
 * wrangler.toml's top level as `npm run dev` serves it: the Rate Limiting bindings take their limits
 * from RATE_LIMIT_IP / RATE_LIMIT_USER (environment, .dev.vars, defaults), so a newcomer can watch a
 * 429 without editing files; paths are made absolute, since the file is written elsewhere. Returns
 * the written file's path.
 */
export function writeDevWranglerConfig(settings: Record<string, string>, dir: string, root = "."): string {
  const { rawConfig } = experimental_readRawConfig({ config: join(root, "wrangler.toml") });
  const { env: _environments, ...config } = rawConfig as Record<string, unknown> & {
    main?: string;
    assets?: { directory?: string };
    ratelimits?: { name: string; simple: { limit: number; period: number } }[];
    vars?: Record<string, string>;
  };
  const ratelimits = (config.ratelimits ?? []).map((binding) => {
    const setting = Object.entries(LIMITERS).find(([, name]) => name === binding.name)?.[0];
    const value = setting ? settings[setting] : undefined;
    return setting && value ? { ...binding, simple: bindingLimit(setting, value) } : binding;
  });
  const file = join(dir, "wrangler.json");
  const devConfig = {
    ...config,
    main: config.main && resolve(root, config.main),
    assets: config.assets && { ...config.assets, directory: resolve(root, config.assets.directory ?? ".") },
    ratelimits,
    // Optional secrets are declared nowhere in wrangler.toml (a deployed environment holds them as
    // secrets, and wrangler warns about vars an environment lacks); wrangler dev passes on only what
    // the configuration declares, so they are declared here, their values coming with --env-file.
    vars: { ...config.vars, ...Object.fromEntries(OPTIONAL_SECRETS.map((name) => [name, ""])) },
  };
  writeFileSync(file, JSON.stringify(devConfig, null, 2), { mode: 0o600 });
  return file;
}
