import { type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { Metrics } from "../observability/metrics";
import { currentScope } from "../observability/scope-storage";
import type { CircuitBreaker } from "./circuit-breaker";

/** Drizzle over the driver, and the driver itself (`$client`) for statements compiled once. */
export type Database = NeonHttpDatabase & { $client: NeonQueryFunction<false, false> };

/** How one client's round trips are made: where to, within what deadline, through which breaker. */
export interface CallPolicy {
  /** Send SQL-over-HTTP here instead of Neon: the local server of `npm run dev` and the tests. */
  httpEndpoint?: string;
  /** Deadline of every round trip. */
  timeoutMs: number;
  /** Absent for readiness probes: they report the breaker, never feed it. */
  breaker?: CircuitBreaker;
  metrics?: Metrics;
}

export interface DatabaseOptions extends CallPolicy {
  /** Postgres connection string (Neon's, or any that parses when a local endpoint is set). */
  url: string;
}

/** The caller gave up (client gone, request deadline passed): neither the database's fault nor a success. */
export class CallCancelledError extends Error {
  override readonly name = "CallCancelledError";
  /** Whether the statement had been sent: then it may have run, and committed, all the same. */
  readonly sent: boolean;

  constructor(message: string, sent: boolean, options?: ErrorOptions) {
    super(message, options);
    this.sent = sent;
  }
}

/**
 * The driver reads one global `fetchFunction`. It is installed once per isolate and dispatches on
 * the policy each client carries in its `fetchOptions` (which the driver spreads into every fetch),
 * so any number of clients — the app's, readiness's, a test's — coexist without overwriting it.
 */
const POLICY = Symbol("order-service/call-policy");
type PolicyInit = RequestInit & { [POLICY]?: CallPolicy };

let hookInstalled = false;
function installDriverHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  neonConfig.fetchFunction = (input: Parameters<typeof fetch>[0], init?: PolicyInit) => {
    const policy = init?.[POLICY];
    if (!policy) return fetch(input, init);
    const { [POLICY]: _, ...plain } = init;
    return instrumentedCall(policy.httpEndpoint ?? input, plain, policy);
  };
}

/**
 * One round trip: it gets the deadline (TimeoutError when it passes), follows the request's own
 * cancellation, passes the circuit breaker, and is timed for metrics, Server-Timing and the log.
 * Network failures, timeouts and 5xx answers count against the breaker; Postgres errors (400) are
 * answers. A call cancelled by the caller is neither: it releases its breaker slot (a cancelled
 * half-open probe leaves the breaker open) and fails with CallCancelledError.
 */
async function instrumentedCall(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  { timeoutMs, breaker, metrics }: CallPolicy,
): Promise<Response> {
  const scope = currentScope();
  // Already cancelled: do not even take a breaker slot.
  if (scope?.signal?.aborted) throw new CallCancelledError("request already cancelled", false);
  breaker?.acquire();
  if (breaker && scope) scope.spanAttributes["db.breaker"] = breaker.state;
  const deadline = AbortSignal.timeout(timeoutMs);
  const callerSignals = [init?.signal, scope?.signal].filter((s): s is AbortSignal => Boolean(s));
  const started = performance.now();
  let outcome: "ok" | "error" | "cancelled" = "error";
  try {
    const res = await fetch(input, { ...init, signal: AbortSignal.any([deadline, ...callerSignals]) });
    if (res.status < 500) {
      outcome = "ok";
      breaker?.success();
    } else breaker?.failure();
    return res;
  } catch (err) {
    if (!deadline.aborted && callerSignals.some((s) => s.aborted)) {
      outcome = "cancelled";
      breaker?.release();
      throw new CallCancelledError("the caller cancelled the database call", true, { cause: err });
    }
    breaker?.failure();
    throw err;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    metrics?.observeDb({ outcome }, seconds);
    if (scope) {
      scope.db.calls++;
      scope.db.ms += seconds * 1000;
    }
  }
}

/** A bare driver client under a policy: for the readiness probe's `SELECT 1`. */
export function createSqlClient({ url, ...policy }: DatabaseOptions) {
  installDriverHook();
  return neon(url, { fetchOptions: { [POLICY]: policy } });
}

/** Drizzle over Neon's HTTP driver, under the given policy. */
export function createDatabase(options: DatabaseOptions): Database {
  return drizzle({ client: createSqlClient(options) });
}
