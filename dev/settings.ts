import { existsSync, readFileSync } from "node:fs";

/**
 * Development defaults: what `npm run dev` uses when neither the environment nor `.dev.vars`
 * says otherwise. Never used in production (wrangler.toml and `wrangler secret put` are).
 */
export const DEV_DEFAULTS: Record<string, string> = {
  PORT: "8787",
  LOG_LEVEL: "info",
  // Well-known, for local tokens minted by `npm run token` only.
  JWT_SECRET: "dev-only-secret-change-me-0123456789abcdef",
  METRICS_TOKEN: "dev-metrics-token",
  // Seals webhook signing secrets in the local database only.
  WEBHOOK_ENCRYPTION_KEY: "dev-only-webhook-encryption-key-0123456789",
};

/** Every setting the worker reads (docs/configuration.md). */
export const WORKER_SETTINGS = [
  "LOG_LEVEL",
  "REQUEST_TIMEOUT_MS",
  "DB_TIMEOUT_MS",
  "BODY_LIMIT_BYTES",
  "CORS_ORIGINS",
  "RATE_LIMIT_IP",
  "RATE_LIMIT_USER",
  "JWT_SECRET",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "JWT_SECRET_PREVIOUS",
  "JWT_MAX_TTL_S",
  "JWT_MODES",
  "JWT_JWKS_URL",
  "JWT_ROLE_CLAIM",
  "JWT_ADMIN_ROLE",
  "JWT_AUDIENCE_CLAIM",
  "METRICS_TOKEN",
  "SMOKE_SECRET",
  "SMOKE_CUSTOMER_ID",
  "DATABASE_URL",
  "DATABASE_HTTP_ENDPOINT",
  "WEBHOOK_ENCRYPTION_KEY",
  "WEBHOOK_ENCRYPTION_KEY_PREVIOUS",
  "WEBHOOK_ALLOW_LOCAL_RECEIVERS",
] as const;

/** Parses a dotenv-style file: KEY=value, optional quotes, # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m?.[1] || line.trimStart().startsWith("#")) continue;
    let value = m[2] ?? "";
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? "";
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]] = value;
  }
  return out;
}

/** Resolves settings with the documented precedence: environment, then `.dev.vars`, then defaults. */
export function resolveSettings(
  env: NodeJS.ProcessEnv = process.env,
  devVarsPath = ".dev.vars",
): Record<string, string> {
  const fromFile = existsSync(devVarsPath) ? parseDotenv(readFileSync(devVarsPath, "utf8")) : {};
  const resolved: Record<string, string> = {};
  for (const key of new Set([...Object.keys(DEV_DEFAULTS), ...WORKER_SETTINGS])) {
    const value = env[key] ?? fromFile[key] ?? DEV_DEFAULTS[key];
    if (value !== undefined) resolved[key] = value;
  }
  // The local identity provider (dev/dev-keys.ts) names itself and this API: a provider's tokens need both.
  if (resolved.JWT_MODES?.includes("jwks")) {
    resolved.JWT_ISSUER ||= DEV_PROVIDER.issuer;
    resolved.JWT_AUDIENCE ||= DEV_PROVIDER.audience;
  }
  return resolved;
}

/** Who the local identity provider of `npm run dev` says it is, and the audience its tokens are for. */
export const DEV_PROVIDER = { issuer: "https://order-service.dev.local/", audience: "order-service" };

/**
 * The worker's settings as a dotenv file for `wrangler dev --env-file`: every set value, quoted so
 * that `#`, spaces and `$` survive (wrangler expands `${…}` in unquoted and double-quoted values,
 * so single quotes, which it takes literally).
 */
export function envFileText(settings: Record<string, string>): string {
  return WORKER_SETTINGS.filter((key) => settings[key] !== undefined && settings[key] !== "")
    .map((key) => {
      const value = settings[key] ?? "";
      if (/['\n\r]/.test(value)) throw new Error(`${key} cannot hold a quote or a line break`);
      return `${key}='${value}'\n`;
    })
    .join("");
}
