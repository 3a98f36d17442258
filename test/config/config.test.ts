import { describe, expect, it } from "vitest";
import { describeProblems, parseConfig } from "../../src/config/config";

/** Stand-ins for the two Rate Limiting bindings: the config only checks that they can `limit()`. */
const ipLimiter = { limit: async () => ({ success: true }) };
const userLimiter = { limit: async () => ({ success: true }) };
/** A stand-in for the events queue's producer binding: the config only checks that it can `sendBatch()`. */
const queue = { send: async () => {}, sendBatch: async () => {} };
const required = {
  JWT_SECRET: "x".repeat(32),
  WEBHOOK_ENCRYPTION_KEY: "w".repeat(32),
  DATABASE_URL: "postgres://u:p@db.example/app",
  IP_RATE_LIMITER: ipLimiter,
  USER_RATE_LIMITER: userLimiter,
};

function configOf(vars: Record<string, unknown>) {
  const result = parseConfig(vars);
  if (!result.ok) throw new Error(describeProblems(result.problems));
  return result.config;
}

function problemsOf(vars: Record<string, unknown>) {
  const result = parseConfig(vars);
  if (result.ok) throw new Error("expected the configuration to be refused");
  return result.problems;
}

describe("parseConfig", () => {
  it("takes the documented defaults for unset, empty or blank values", () => {
    const config = configOf({ ...required, REQUEST_TIMEOUT_MS: "", CORS_ORIGINS: "", LOG_LEVEL: "  " });
    expect(config).toEqual({
      logLevel: "info",
      requestTimeoutMs: 10_000,
      dbTimeoutMs: 5_000,
      bodyLimitBytes: 65_536,
      corsOrigins: [],
      rateLimits: {
        ip: { rule: { limit: 300, periodSeconds: 60 }, limiter: ipLimiter },
        user: { rule: { limit: 100, periodSeconds: 60 }, limiter: userLimiter },
      },
      jwt: {
        secret: "x".repeat(32),
        previousSecret: undefined,
        issuer: undefined,
        audience: undefined,
        audienceClaim: "aud",
        maxTtlSeconds: 86_400,
        modes: { hs256: true, jwks: false },
        jwksUrl: undefined,
        roles: { claim: "role", admin: "admin" },
        smoke: undefined,
      },
      metricsToken: undefined,
      databaseUrl: "postgres://u:p@db.example/app",
      databaseHttpEndpoint: undefined,
      sealingKeys: ["w".repeat(32)],
      webhooks: { allowLocalReceivers: false, queue: undefined },
    });
  });

  it("reads every setting", () => {
    const config = configOf({
      ...required,
      LOG_LEVEL: "debug",
      REQUEST_TIMEOUT_MS: "2500",
      DB_TIMEOUT_MS: "1000",
      BODY_LIMIT_BYTES: "1024",
      CORS_ORIGINS: " https://a.example , https://b.example ,",
      RATE_LIMIT_IP: "20/10s",
      RATE_LIMIT_USER: "5/60s",
      JWT_SECRET_PREVIOUS: "y".repeat(40),
      JWT_ISSUER: "https://issuer.example",
      JWT_AUDIENCE: "orders",
      JWT_MAX_TTL_S: "3600",
      JWT_MODES: "jwks,hs256",
      JWT_JWKS_URL: "https://issuer.example/.well-known/jwks.json",
      JWT_ROLE_CLAIM: "https://example.com/roles",
      JWT_ADMIN_ROLE: "orders-admin",
      JWT_AUDIENCE_CLAIM: "client_id",
      SMOKE_SECRET: "s".repeat(40),
      SMOKE_CUSTOMER_ID: "0B8F6A52-7A53-4C59-9D0E-5A1A2B3C4D5E",
      METRICS_TOKEN: "m",
      DATABASE_HTTP_ENDPOINT: "http://127.0.0.1:4444/sql",
      WEBHOOK_ENCRYPTION_KEY_PREVIOUS: "v".repeat(32),
      WEBHOOK_ALLOW_LOCAL_RECEIVERS: "true",
      EVENTS_QUEUE: queue,
    });
    expect(config).toMatchObject({
      logLevel: "debug",
      requestTimeoutMs: 2500,
      dbTimeoutMs: 1000,
      bodyLimitBytes: 1024,
      corsOrigins: ["https://a.example", "https://b.example"],
      rateLimits: {
        ip: { rule: { limit: 20, periodSeconds: 10 } },
        user: { rule: { limit: 5, periodSeconds: 60 } },
      },
      jwt: {
        previousSecret: "y".repeat(40),
        issuer: "https://issuer.example",
        audience: "orders",
        audienceClaim: "client_id",
        maxTtlSeconds: 3600,
        modes: { hs256: true, jwks: true },
        jwksUrl: "https://issuer.example/.well-known/jwks.json",
        roles: { claim: "https://example.com/roles", admin: "orders-admin" },
        smoke: { secret: "s".repeat(40), customerId: "0b8f6a52-7a53-4c59-9d0e-5a1a2b3c4d5e" },
      },
      metricsToken: "m",
      databaseHttpEndpoint: "http://127.0.0.1:4444/sql",
      sealingKeys: ["w".repeat(32), "v".repeat(32)],
      webhooks: { allowLocalReceivers: true, queue },
    });
  });

  it.each([
    ["REQUEST_TIMEOUT_MS", "ten"],
    ["REQUEST_TIMEOUT_MS", "0"],
    ["DB_TIMEOUT_MS", "-5"],
    ["BODY_LIMIT_BYTES", "1.5"],
    ["BODY_LIMIT_BYTES", "999999999"],
    ["RATE_LIMIT_IP", "310"],
    ["RATE_LIMIT_USER", "0/70s"],
    ["RATE_LIMIT_IP", "5/3600s"],
    ["RATE_LIMIT_USER", "100/30s"],
    ["IP_RATE_LIMITER", "not a binding"],
    ["JWT_MODES", "rs256"],
    ["JWT_MODES", "HS256"],
    ["JWT_JWKS_URL", "ftp://issuer.example/jwks"],
    ["JWT_JWKS_URL", "http://issuer.example/jwks"],
    ["JWT_AUDIENCE_CLAIM", "azp"],
    ["SMOKE_CUSTOMER_ID", "not-a-uuid"],
    ["LOG_LEVEL", "verbose"],
    ["JWT_SECRET", "too-short-for-hs256"],
    ["JWT_SECRET_PREVIOUS", "short"],
    ["JWT_MAX_TTL_S", "5"],
    ["DATABASE_URL", "mysql://u@h/db"],
    ["DATABASE_URL", "not a url"],
    ["DATABASE_HTTP_ENDPOINT", "ftp://x/sql"],
    ["WEBHOOK_ENCRYPTION_KEY", "short"],
    ["WEBHOOK_ENCRYPTION_KEY_PREVIOUS", "short"],
    ["WEBHOOK_ALLOW_LOCAL_RECEIVERS", "yes"],
    ["EVENTS_QUEUE", "not a queue"],
  ])("refuses %s=%s, naming the variable and never its value", (name, value) => {
    const problems = problemsOf({ ...required, [name]: value });
    expect(problems.map((p) => p.variable)).toEqual([name]);
    expect(describeProblems(problems)).not.toContain(value);
  });

  it("names every missing required secret, the same way", () => {
    const bindings = { IP_RATE_LIMITER: ipLimiter, USER_RATE_LIMITER: userLimiter };
    expect(problemsOf(bindings)).toEqual([
      { variable: "DATABASE_URL", problem: "is required" },
      { variable: "WEBHOOK_ENCRYPTION_KEY", problem: "is required" },
      { variable: "JWT_SECRET", problem: "is required" },
    ]);
    const blank = { ...bindings, JWT_SECRET: " ", DATABASE_URL: "", WEBHOOK_ENCRYPTION_KEY: "" };
    expect(problemsOf(blank).map((p) => p.variable)).toEqual(["DATABASE_URL", "WEBHOOK_ENCRYPTION_KEY", "JWT_SECRET"]);
  });

  it("needs JWT_SECRET only where HS256 tokens are taken: a jwks-only deployment starts without it", () => {
    const { JWT_SECRET: _, ...withoutSecret } = required;
    const provider = {
      JWT_JWKS_URL: "https://issuer.example/.well-known/jwks.json",
      JWT_ISSUER: "https://issuer.example/",
      JWT_AUDIENCE: "orders",
    };
    expect(configOf({ ...withoutSecret, ...provider, JWT_MODES: "jwks" }).jwt.secret).toBeUndefined();
    expect(problemsOf({ ...withoutSecret, ...provider, JWT_MODES: "hs256,jwks" })).toEqual([
      { variable: "JWT_SECRET", problem: "is required" },
    ]);
    expect(
      problemsOf({ ...required, ...provider, JWT_MODES: "jwks", JWT_SECRET: "short" }).map((p) => p.variable),
    ).toEqual(["JWT_SECRET"]);
  });

  it("names a missing Rate Limiting binding", () => {
    const { IP_RATE_LIMITER: _, ...withoutIp } = required;
    expect(problemsOf(withoutIp)).toEqual([
      { variable: "IP_RATE_LIMITER", problem: "must be a Rate Limiting binding ([[ratelimits]] in wrangler.toml)" },
    ]);
  });
});
