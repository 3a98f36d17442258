import { describe, expect, it } from "vitest";
import { type AppBindings, ConfigError, loadConfig } from "../../src/config/config";

const env = (vars: Partial<Record<string, string>>) => vars as unknown as AppBindings;

describe("loadConfig", () => {
  it("takes the documented defaults for unset or empty values", () => {
    const config = loadConfig(env({ REQUEST_TIMEOUT_MS: "", CORS_ORIGINS: "" }));
    expect(config).toMatchObject({
      logLevel: "info",
      requestTimeoutMs: 10_000,
      dbTimeoutMs: 5_000,
      bodyLimitBytes: 65_536,
      corsOrigins: [],
      rateLimitIp: { limit: 300, periodSeconds: 60 },
      rateLimitUser: { limit: 100, periodSeconds: 60 },
      jwtSecret: undefined,
      jwtIssuer: undefined,
      metricsToken: undefined,
    });
  });

  it("reads every setting", () => {
    const config = loadConfig(
      env({
        LOG_LEVEL: "debug",
        REQUEST_TIMEOUT_MS: "2500",
        DB_TIMEOUT_MS: "1000",
        BODY_LIMIT_BYTES: "1024",
        CORS_ORIGINS: " https://a.example , https://b.example ,",
        RATE_LIMIT_IP: "20/10s",
        RATE_LIMIT_USER: "5/60s",
        JWT_SECRET: "x".repeat(32),
        JWT_ISSUER: "https://issuer.example",
        JWT_AUDIENCE: "orders",
        METRICS_TOKEN: "m",
      }),
    );
    expect(config).toMatchObject({
      logLevel: "debug",
      requestTimeoutMs: 2500,
      dbTimeoutMs: 1000,
      bodyLimitBytes: 1024,
      corsOrigins: ["https://a.example", "https://b.example"],
      rateLimitIp: { limit: 20, periodSeconds: 10 },
      rateLimitUser: { limit: 5, periodSeconds: 60 },
      jwtIssuer: "https://issuer.example",
      jwtAudience: "orders",
      metricsToken: "m",
    });
  });

  it.each([
    ["REQUEST_TIMEOUT_MS", "ten"],
    ["REQUEST_TIMEOUT_MS", "0"],
    ["DB_TIMEOUT_MS", "-5"],
    ["BODY_LIMIT_BYTES", "1.5"],
    ["BODY_LIMIT_BYTES", "999999999"],
    ["RATE_LIMIT_IP", "300"],
    ["RATE_LIMIT_USER", "0/60s"],
    ["LOG_LEVEL", "verbose"],
  ])("refuses %s=%s and names the variable", (name, value) => {
    expect(() => loadConfig(env({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ [name]: value }))).toThrow(name);
  });
});
