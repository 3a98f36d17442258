import { isLogLevel, type LogLevel } from "../domain/logger";
import type { RateLimitRule } from "../rate-limit/gcra";

/**
 * Bindings as Workers hands them over: the generated `Env` (vars and required secrets) plus the
 * optional secret. Secrets may still be missing at run time; loadConfig checks.
 */
export type AppBindings = Env & {
  METRICS_TOKEN?: string;
  /** Workers Analytics Engine, when bound (see README "Metrics"). */
  ANALYTICS?: AnalyticsEngineDataset;
};

export interface Config {
  logLevel: LogLevel;
  requestTimeoutMs: number;
  dbTimeoutMs: number;
  bodyLimitBytes: number;
  corsOrigins: string[];
  rateLimitIp: RateLimitRule;
  rateLimitUser: RateLimitRule;
  jwtSecret: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  metricsToken: string | undefined;
  databaseUrl: string | undefined;
  databaseHttpEndpoint: string | undefined;
}

/** Raised at start-up, before any request is served: names the variable, never its value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const RATE_RULE = /^(\d+)\/(\d+)s$/;

function parseRateRule(name: string, raw: string): RateLimitRule {
  const m = RATE_RULE.exec(raw.trim());
  const limit = Number(m?.[1]);
  const periodSeconds = Number(m?.[2]);
  if (!m || limit < 1 || periodSeconds < 1) {
    throw new ConfigError(`${name} must look like "300/60s" (requests per period), got ${JSON.stringify(raw)}`);
  }
  return { limit, periodSeconds };
}

function optionalString(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function readInt(env: AppBindings, name: keyof Env & string, fallback: number, max: number): number {
  const raw = optionalString(env[name] as string | undefined);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Reads the environment once per isolate. Unset or empty values take the documented defaults;
 * a value that is present but malformed is a ConfigError (fail closed, never a silent default).
 */
export function loadConfig(env: AppBindings): Config {
  const level = optionalString(env.LOG_LEVEL) ?? "info";
  if (!isLogLevel(level)) throw new ConfigError("LOG_LEVEL must be one of debug, info, warn, error");
  return {
    logLevel: level,
    requestTimeoutMs: readInt(env, "REQUEST_TIMEOUT_MS", 10_000, 600_000),
    dbTimeoutMs: readInt(env, "DB_TIMEOUT_MS", 5_000, 600_000),
    bodyLimitBytes: readInt(env, "BODY_LIMIT_BYTES", 65_536, 10 * 1024 * 1024),
    corsOrigins: (env.CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimitIp: parseRateRule("RATE_LIMIT_IP", optionalString(env.RATE_LIMIT_IP) ?? "300/60s"),
    rateLimitUser: parseRateRule("RATE_LIMIT_USER", optionalString(env.RATE_LIMIT_USER) ?? "100/60s"),
    jwtSecret: env.JWT_SECRET || undefined,
    jwtIssuer: optionalString(env.JWT_ISSUER),
    jwtAudience: optionalString(env.JWT_AUDIENCE),
    metricsToken: optionalString(env.METRICS_TOKEN),
    databaseUrl: optionalString(env.DATABASE_URL),
    databaseHttpEndpoint: optionalString(env.DATABASE_HTTP_ENDPOINT),
  };
}
