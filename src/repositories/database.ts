import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { Metrics } from "../observability/metrics";
import { currentScope } from "../observability/request-scope";
import type { CircuitBreaker } from "./circuit-breaker";
import * as schema from "./schema";

export type Database = NeonHttpDatabase<typeof schema>;

export interface DatabaseOptions {
  /** Postgres connection string (Neon's, or any that parses when a local endpoint is set). */
  url: string;
  /** Send SQL-over-HTTP here instead of Neon: the local server of `npm run dev` and the tests. */
  httpEndpoint?: string;
  /** Deadline of every database round trip. */
  timeoutMs: number;
  breaker?: CircuitBreaker;
  metrics?: Metrics;
}

/** The caller went away (its signal aborted): not the database's fault. */
const isClientCancellation = (err: unknown, signal: AbortSignal | undefined) =>
  signal?.aborted === true || (err instanceof Error && err.name === "AbortError");

/**
 * The HTTP client under Drizzle: every round trip gets the deadline (TimeoutError when it passes),
 * follows the request's own cancellation, passes the circuit breaker, and is timed for metrics,
 * Server-Timing and the log. Network failures, timeouts and 5xx answers count against the breaker;
 * Postgres errors (400) are answers, and a client's own cancellation counts as success.
 */
export function instrumentedFetch({
  timeoutMs,
  breaker,
  metrics,
}: Pick<DatabaseOptions, "timeoutMs" | "breaker" | "metrics">): typeof fetch {
  return async (input, init) => {
    breaker?.acquire();
    const scope = currentScope();
    const deadline = AbortSignal.timeout(timeoutMs);
    const signals = [deadline, init?.signal, scope?.signal].filter((s): s is AbortSignal => Boolean(s));
    const started = performance.now();
    let ok = false;
    try {
      const res = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
      ok = res.status < 500;
      if (ok) breaker?.success();
      else breaker?.failure();
      return res;
    } catch (err) {
      if (!deadline.aborted && isClientCancellation(err, scope?.signal)) breaker?.success();
      else breaker?.failure();
      throw err;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      metrics?.observeDb({ outcome: ok ? "ok" : "error" }, seconds);
      if (scope) {
        scope.db.calls++;
        scope.db.ms += seconds * 1000;
      }
    }
  };
}

/**
 * Drizzle over Neon's HTTP driver. The driver's endpoint and fetch are global to the isolate,
 * which holds exactly one database, so they are set here once.
 */
export function createDatabase({ url, httpEndpoint, timeoutMs, breaker, metrics }: DatabaseOptions): Database {
  if (httpEndpoint) neonConfig.fetchEndpoint = httpEndpoint;
  neonConfig.fetchFunction = instrumentedFetch({ timeoutMs, breaker, metrics });
  return drizzle({ client: neon(url), schema });
}
