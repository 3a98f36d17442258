import type { Hono } from "hono";
import { createApp, createMisconfiguredApp } from "./app";
import type { AppEnv } from "./app-env";
import { type AppBindings, type Config, describeProblems, jwtSecrets, parseConfig } from "./config/config";
import { createCursorCodec } from "./handlers/cursor";
import { createJsonLogger, type Logger } from "./observability/logger";
import { createMetrics, type Metrics } from "./observability/metrics";
import { CircuitBreaker } from "./repositories/circuit-breaker";
import { createDatabase } from "./repositories/database";
import { createDatabaseProbe } from "./repositories/database-probe";
import { createPostgresEventRepository } from "./repositories/postgres-event-repository";
import { createPostgresOrderRepository } from "./repositories/postgres-order-repository";
import { createEventService } from "./services/event-service";
import { createIdempotencyPurge, type PurgeReport } from "./services/idempotency-purge";
import type { OrderRepository } from "./services/order-repository";
import { createOrderService, type OrderService } from "./services/order-service";
import { createReadiness } from "./services/readiness";
import type { ReadinessProbe } from "./services/readiness-probe";
import { createJwksKeyStore, type KeyLookup } from "./tokens/jwks-key-store";

/** What a test may replace; everything else is built exactly as in production. */
export interface IsolateOverrides {
  logger?: Logger;
  /** Milliseconds since the epoch, for the breaker, readiness, tokens, orders and the purge. */
  clock?: () => number;
  breaker?: CircuitBreaker;
  metrics?: Metrics;
  repository?: OrderRepository;
  orders?: OrderService;
  readinessProbe?: ReadinessProbe;
  signingKeys?: KeyLookup;
}

/** Everything that lives as long as the isolate. */
export interface Isolate {
  app: Hono<AppEnv>;
  /** The parsed configuration; undefined when it is invalid (the app then says so). */
  config: Config | undefined;
  /** The Cron Trigger's work: expired idempotency records deleted in bounded batches. */
  purgeIdempotencyRecords(): Promise<PurgeReport>;
}

/** The identity provider's keys, fetched and cached per isolate, when JWT_MODES takes its tokens. */
function providerKeys(config: Config, clock: () => number, logger: Logger): KeyLookup | undefined {
  const url = config.jwt.jwksUrl;
  if (!url) return undefined;
  return createJwksKeyStore({
    url,
    now: clock,
    cache: typeof caches === "undefined" ? undefined : caches.default,
    onProblem: (problem) => logger.warn("signing keys", { problem }),
  });
}

/**
 * The one composition root: turns `env` into everything that lives as long as the isolate —
 * config (the only reader of env), the database client with the driver hook installed once, the
 * circuit breaker, metrics, cursor keys — and hands `createApp` finished
 * collaborators. Tests build through here too, replacing only what they must.
 */
export function createIsolate(env: AppBindings, overrides: IsolateOverrides = {}): Isolate {
  const parsed = parseConfig(env);
  const clock = overrides.clock ?? Date.now;
  const metrics = overrides.metrics ?? createMetrics();
  if (!parsed.ok) {
    const logger = overrides.logger ?? createJsonLogger();
    logger.error("configuration invalid", { problems: describeProblems(parsed.problems) });
    return {
      app: createMisconfiguredApp({ problems: parsed.problems, logger, metrics }),
      config: undefined,
      purgeIdempotencyRecords: async () => {
        throw new Error(`configuration invalid: ${describeProblems(parsed.problems)}`);
      },
    };
  }
  const { config } = parsed;
  const logger = overrides.logger ?? createJsonLogger({ level: config.logLevel });
  const breaker = overrides.breaker ?? new CircuitBreaker({ now: clock });
  const database = { url: config.databaseUrl, httpEndpoint: config.databaseHttpEndpoint, metrics };
  const db = createDatabase({ ...database, timeoutMs: config.dbTimeoutMs, breaker });
  const repository = overrides.repository ?? createPostgresOrderRepository(db);
  const events = createEventService({ repository: createPostgresEventRepository(db), now: clock });
  const orders = overrides.orders ?? createOrderService({ repository, now: clock });
  const signingKeys = overrides.signingKeys ?? providerKeys(config, clock, logger);
  const readiness = createReadiness({
    probe: overrides.readinessProbe ?? createDatabaseProbe({ ...database, timeoutMs: config.dbTimeoutMs }),
    breaker,
    now: clock,
    keys: signingKeys,
  });
  const app = createApp({
    config,
    logger,
    readiness,
    orders,
    events,
    cursors: createCursorCodec(jwtSecrets(config.jwt)),
    metrics,
    breaker,
    clock,
    signingKeys,
  });
  const purge = createIdempotencyPurge({ repository, now: clock });
  return {
    app,
    config,
    async purgeIdempotencyRecords() {
      try {
        const report = await purge();
        logger.info("idempotency purge", { ...report });
        return report;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        logger.error("idempotency purge failed", { code, detail: (err as { detail?: unknown }).detail });
        throw err;
      }
    },
  };
}
