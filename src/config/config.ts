import * as z from "zod/mini";
import { isUuid } from "../lib/uuid";
import { VISIBLE_TOKEN } from "../lib/visible-token";
import type { Limiter } from "../limiters/limiter";
import { parseRateRule, RATE_RULE_TEXT, type RateLimitRule } from "../limiters/rate-rule";
import { LOG_LEVELS } from "../observability/logger";
import "../lib/zod-messages";

/**
 * Bindings as Workers hands them over: the generated `Env` (vars and required secrets) plus the
 * optional ones. Secrets may still be missing at run time; `parseConfig` checks.
 */
export type AppBindings = Env & {
  METRICS_TOKEN?: string;
  /** The key tokens were signed with before the last rotation (docs/configuration.md, "Rotating JWT_SECRET"). */
  JWT_SECRET_PREVIOUS?: string;
  /** The release's smoke key (docs/operations.md, "The smoke credential"). */
  SMOKE_SECRET?: string;
  /** Workers Analytics Engine, when bound (docs/architecture.md, "Metrics and logs"). */
  ANALYTICS?: AnalyticsEngineDataset;
  /** The key webhook secrets were sealed with before the last rotation (docs/configuration.md). */
  WEBHOOK_ENCRYPTION_KEY_PREVIOUS?: string;
  /** The order-events queue (wrangler.toml `[[queues.producers]]`); absent, events wait in the feed. */
  EVENTS_QUEUE?: Queue;
  /** The webhooks' slow lane (wrangler.toml); absent, every receiver is waited for in the one lane. */
  WEBHOOKS_SLOW_QUEUE?: Queue;
};

/** HS256 keys shorter than this are guessable offline from any token. */
export const MIN_SECRET_BYTES = 32;

/** Unset, empty and blank all mean "take the default": wrangler vars cannot be unset per environment. */
const blankToUndefined = z.transform((value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : typeof value === "string" ? value.trim() : value,
);

function setting<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(blankToUndefined, schema);
}

const wholeNumber = (min: number, max: number, fallback: number) =>
  setting(
    z.prefault(
      z.pipe(
        z.string().check(z.regex(/^\d{1,9}$/, "must be a whole number")),
        z.pipe(
          z.transform(Number),
          z.number().check(z.minimum(min, `must be at least ${min}`), z.maximum(max, `must be at most ${max}`)),
        ),
      ),
      String(fallback),
    ),
  );

/** `N/10s` or `N/60s`: the periods Cloudflare's Rate Limiting binding counts in. */
const rateRule = (fallback: string) =>
  setting(
    z.prefault(
      z.pipe(
        z
          .string()
          .check(
            z.regex(
              RATE_RULE_TEXT,
              'must be "<requests>/10s" or "<requests>/60s": the Rate Limiting binding counts per 10 or 60 seconds',
            ),
          ),
        z.transform((rule: string) => parseRateRule(rule) as RateLimitRule),
      ),
      fallback,
    ),
  );

const secret = z.string().check(
  z.refine((s) => new TextEncoder().encode(s).byteLength >= MIN_SECRET_BYTES, {
    message: `must be at least ${MIN_SECRET_BYTES} bytes`,
  }),
);

const optionalText = setting(z.optional(z.string()));

/** An issuer names the customers its tokens speak for, and is stored beside each of their subjects. */
const issuer = z.string().check(z.regex(VISIBLE_TOKEN, "must be 1–255 visible ASCII characters"));

const connectionString = z.string().check(
  z.refine((s) => {
    try {
      return /^postgres(ql)?:$/.test(new URL(s).protocol);
    } catch {
      return false;
    }
  }, "must be a postgres:// connection string"),
);

const httpUrl = z.string().check(
  z.refine((s) => {
    try {
      return /^https?:$/.test(new URL(s).protocol);
    } catch {
      return false;
    }
  }, "must be an http(s) URL"),
);

/** An identity provider's key set: https, or http on this machine only (the local one of `npm run dev`). */
const jwksUrl = z.string().check(
  z.refine((s) => {
    try {
      const url = new URL(s);
      return (
        url.protocol === "https:" ||
        (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname))
      );
    } catch {
      return false;
    }
  }, "must be an https:// URL (http:// only on localhost)"),
);

/** Which tokens are accepted: this service's own (HS256), an identity provider's (JWKS), or both. */
const jwtModes = setting(
  z.prefault(
    z.pipe(
      z.string().check(z.regex(/^(hs256|jwks)(,(hs256|jwks))?$/, 'must be "hs256", "jwks" or "hs256,jwks"')),
      z.transform((text: string) => ({ hs256: text.includes("hs256"), jwks: text.includes("jwks") })),
    ),
    "hs256",
  ),
);

const NEEDED_FOR_JWKS = "is required when JWT_MODES takes an identity provider's tokens (jwks)";

const customerId = z.string().check(z.refine(isUuid, "must be a UUID"));

/** The smoke key with the one customer it may sign for; both or neither (checked below). */
function smokeKey(env: { SMOKE_SECRET?: string; SMOKE_CUSTOMER_ID?: string }) {
  if (!env.SMOKE_SECRET || !env.SMOKE_CUSTOMER_ID) return undefined;
  return { secret: env.SMOKE_SECRET, customerId: env.SMOKE_CUSTOMER_ID.toLowerCase() };
}

/** A Rate Limiting binding (`[[ratelimits]]` in wrangler.toml): anything with its `limit()`. */
const limiterBinding = z.custom<Limiter>(
  (value) => typeof (value as { limit?: unknown } | null)?.limit === "function",
  "must be a Rate Limiting binding ([[ratelimits]] in wrangler.toml)",
);

/** A Queues producer binding (`[[queues.producers]]` in wrangler.toml): anything with its `sendBatch()`. */
const queueBinding = z.custom<Queue>(
  (value) => typeof (value as { sendBatch?: unknown } | null)?.sendBatch === "function",
  "must be a Queues producer binding ([[queues.producers]] in wrangler.toml)",
);

const analyticsBinding = z.custom<AnalyticsEngineDataset>(
  (value) => typeof (value as { writeDataPoint?: unknown } | null)?.writeDataPoint === "function",
  "must be a Workers Analytics Engine dataset ([[analytics_engine_datasets]] in wrangler.toml)",
);

/**
 * Every variable the worker reads, with its default and range: the one reader of `env`.
 * Unset or empty values take the documented defaults; a value that is present but malformed, or a
 * required secret that is missing, makes the isolate misconfigured (docs/configuration.md).
 */
export const configSchema = z.pipe(
  z
    .object({
      LOG_LEVEL: setting(z.prefault(z.enum(LOG_LEVELS), "info")),
      REQUEST_TIMEOUT_MS: wholeNumber(1, 600_000, 10_000),
      DB_TIMEOUT_MS: wholeNumber(1, 600_000, 5_000),
      BODY_LIMIT_BYTES: wholeNumber(1, 10 * 1024 * 1024, 65_536),
      CORS_ORIGINS: setting(z.prefault(z.string(), "")),
      RATE_LIMIT_IP: rateRule("300/60s"),
      RATE_LIMIT_USER: rateRule("100/60s"),
      IP_RATE_LIMITER: limiterBinding,
      USER_RATE_LIMITER: limiterBinding,
      JWT_SECRET: setting(z.optional(secret)),
      JWT_SECRET_PREVIOUS: setting(z.optional(secret)),
      JWT_ISSUER: setting(z.optional(issuer)),
      JWT_AUDIENCE: optionalText,
      JWT_MAX_TTL_S: wholeNumber(60, 31 * 24 * 3600, 86_400),
      JWT_MODES: jwtModes,
      JWT_JWKS_URL: setting(z.optional(jwksUrl)),
      JWT_ROLE_CLAIM: setting(z.prefault(z.string().check(z.maxLength(256)), "role")),
      JWT_ADMIN_ROLE: setting(z.prefault(z.string().check(z.maxLength(256)), "admin")),
      JWT_AUDIENCE_CLAIM: setting(z.prefault(z.enum(["aud", "client_id"]), "aud")),
      SMOKE_SECRET: setting(z.optional(secret)),
      SMOKE_CUSTOMER_ID: setting(z.optional(customerId)),
      METRICS_TOKEN: optionalText,
      DATABASE_URL: setting(connectionString),
      DATABASE_HTTP_ENDPOINT: setting(z.optional(httpUrl)),
      WEBHOOK_ENCRYPTION_KEY: setting(secret),
      WEBHOOK_ENCRYPTION_KEY_PREVIOUS: setting(z.optional(secret)),
      WEBHOOK_ALLOW_LOCAL_RECEIVERS: setting(
        z.prefault(
          z.pipe(
            z.enum(["true", "false"], 'must be "true" or "false"'),
            z.transform((v: "true" | "false") => v === "true"),
          ),
          "false",
        ),
      ),
      EVENTS_QUEUE: z.optional(queueBinding),
      WEBHOOKS_SLOW_QUEUE: z.optional(queueBinding),
      ANALYTICS: z.optional(analyticsBinding),
    })
    .check(
      // Checked with the other required secrets (`when`), so one answer names every missing one.
      z.refine((env) => env.JWT_MODES?.hs256 !== true || env.JWT_SECRET !== undefined, {
        path: ["JWT_SECRET"],
        message: "is required",
        when: () => true,
      }),
      z.refine((env) => !env.JWT_MODES.jwks || !!env.JWT_JWKS_URL, {
        path: ["JWT_JWKS_URL"],
        message: NEEDED_FOR_JWKS,
      }),
      z.refine((env) => !env.JWT_MODES.jwks || !!env.JWT_ISSUER, { path: ["JWT_ISSUER"], message: NEEDED_FOR_JWKS }),
      z.refine((env) => !env.JWT_MODES.jwks || !!env.JWT_AUDIENCE, {
        path: ["JWT_AUDIENCE"],
        message: NEEDED_FOR_JWKS,
      }),
      z.refine((env) => !env.SMOKE_SECRET || env.SMOKE_CUSTOMER_ID !== undefined, {
        path: ["SMOKE_CUSTOMER_ID"],
        message: "is required when SMOKE_SECRET is set",
      }),
      z.refine(
        (env) =>
          !env.SMOKE_SECRET || (env.SMOKE_SECRET !== env.JWT_SECRET && env.SMOKE_SECRET !== env.JWT_SECRET_PREVIOUS),
        {
          path: ["SMOKE_SECRET"],
          message: "must differ from JWT_SECRET and JWT_SECRET_PREVIOUS",
        },
      ),
    ),
  z.transform((env) => ({
    logLevel: env.LOG_LEVEL,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    dbTimeoutMs: env.DB_TIMEOUT_MS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    corsOrigins: env.CORS_ORIGINS.split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimits: {
      ip: { rule: env.RATE_LIMIT_IP, limiter: env.IP_RATE_LIMITER },
      user: { rule: env.RATE_LIMIT_USER, limiter: env.USER_RATE_LIMITER },
    },
    jwt: {
      secret: env.JWT_SECRET,
      previousSecret: env.JWT_SECRET_PREVIOUS,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      audienceClaim: env.JWT_AUDIENCE_CLAIM,
      maxTtlSeconds: env.JWT_MAX_TTL_S,
      modes: env.JWT_MODES,
      jwksUrl: env.JWT_MODES.jwks ? env.JWT_JWKS_URL : undefined,
      roles: { claim: env.JWT_ROLE_CLAIM, admin: env.JWT_ADMIN_ROLE },
      smoke: smokeKey(env),
    },
    metricsToken: env.METRICS_TOKEN,
    analytics: env.ANALYTICS,
    databaseUrl: env.DATABASE_URL,
    databaseHttpEndpoint: env.DATABASE_HTTP_ENDPOINT,
    // WEBHOOK_ENCRYPTION_KEY seals what the service stores or hands out and reads back: webhook signing
    // secrets and page cursors, each under a key derived with its own label (lib/derived-keys.ts).
    sealingKeys: (env.WEBHOOK_ENCRYPTION_KEY_PREVIOUS
      ? [env.WEBHOOK_ENCRYPTION_KEY, env.WEBHOOK_ENCRYPTION_KEY_PREVIOUS]
      : [env.WEBHOOK_ENCRYPTION_KEY]) as [string, ...string[]],
    webhooks: {
      allowLocalReceivers: env.WEBHOOK_ALLOW_LOCAL_RECEIVERS,
      queue: env.EVENTS_QUEUE,
      slowLane: env.WEBHOOKS_SLOW_QUEUE,
    },
  })),
);

export type Config = z.output<typeof configSchema>;

/** The keys HS256 tokens are checked against: the current one first, then the previous one. */
export const jwtSecrets = ({ secret, previousSecret }: Config["jwt"]): string[] =>
  [secret, previousSecret].filter((s) => s !== undefined);

/** A variable that is missing or malformed: its name and what is wrong, never its value. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

export function parseConfig(env: Partial<Record<keyof AppBindings, unknown>>): ConfigResult {
  const result = configSchema.safeParse(env);
  if (result.success) return { ok: true, config: result.data };
  const problems = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? "env"),
    problem: issue.code === "invalid_type" && issue.path.length === 1 ? "is required" : issue.message,
  }));
  return { ok: false, problems };
}

/** "JWT_SECRET is required; DB_TIMEOUT_MS must be at least 1": for logs and /readyz. */
export const describeProblems = (problems: ConfigProblem[]) =>
  problems.map((p) => `${p.variable} ${p.problem}`).join("; ");
