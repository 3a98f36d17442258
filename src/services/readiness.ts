import type { AppError } from "../domain/app-error";
import type { ReadinessProbe } from "./readiness-probe";

/** The circuit breaker's states, in the order /metrics numbers them (0, 1, 2). */
export const BREAKER_STATES = ["closed", "open", "half-open"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** What readiness may know of the circuit breaker: it reads it, never feeds it. */
export interface BreakerView {
  readonly state: BreakerState;
  retryAfterMs(): number;
}

export type ReadinessReport =
  | { ready: true; checks: Record<string, string> }
  | { ready: false; checks: Record<string, string>; retryAfterMs: number; error?: AppError };

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export interface ReadinessOptions {
  probe: ReadinessProbe;
  breaker: BreakerView;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** How long a probe's answer is reused: a flood of /readyz costs about one query per period. */
  cacheMs?: number;
  /** The probe's own deadline (the contract's 2 s). */
  budgetMs?: number;
  /** Retry-After for a database that did not answer, in milliseconds. */
  retryAfterMs?: number;
  /**
   * The identity provider's keys, when its tokens are accepted: reported ("ok", "stale", "not loaded",
   * "unavailable") but never deciding readiness. After a long outage of the provider, cached keys still
   * verify and HS256 tokens still work, so failing the whole service would only make things worse.
   */
  keys?: { health(): string };
  /**
   * Settings that must not serve traffic where they are, by check name: a deployed worker that
   * accepts webhook receivers on its own machine. Any one makes the service not ready, naming it.
   */
  unsafeSettings?: Record<string, string>;
}

/**
 * Readiness that cannot hurt the service: while the breaker is open it answers from the breaker
 * (no query, the API's own Retry-After); otherwise concurrent checks share one probe and its
 * answer is reused for `cacheMs`. The probe goes around the breaker, so it never trips or closes it.
 * Half-open (the open period is over, no API call has probed yet) counts as "otherwise": the probe
 * tells the truth about the database, so an idle isolate whose database came back reports ready
 * (and its next API call closes the breaker) instead of "circuit open" until traffic arrives.
 */
export function createReadiness({
  probe,
  breaker,
  now,
  cacheMs = 1_000,
  budgetMs = 2_000,
  retryAfterMs = 5_000,
  keys,
  unsafeSettings = {},
}: ReadinessOptions): Readiness {
  const withKeys = (report: ReadinessReport): ReadinessReport =>
    keys ? { ...report, checks: { ...report.checks, keys: keys.health() } } : report;

  let cached: { at: number; report: ReadinessReport } | undefined;
  let inFlight: Promise<ReadinessReport> | undefined;

  async function probeOnce(): Promise<ReadinessReport> {
    const result = await probe.check(budgetMs);
    if (result.ok) return { ready: true, checks: { database: "ok" } };
    return { ready: false, checks: { database: result.reason }, retryAfterMs, error: result.error };
  }

  async function databaseReport(): Promise<ReadinessReport> {
    if (breaker.state === "open") {
      return {
        ready: false,
        checks: { database: "circuit open" },
        retryAfterMs: breaker.retryAfterMs(),
      };
    }
    if (cached && now() - cached.at < cacheMs) return cached.report;
    inFlight ??= probeOnce()
      .then((report) => {
        cached = { at: now(), report };
        return report;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  const unsafe = Object.keys(unsafeSettings).length > 0;
  const withSettings = (report: ReadinessReport): ReadinessReport =>
    unsafe ? { ready: false, checks: { ...report.checks, ...unsafeSettings }, retryAfterMs: 60_000 } : report;

  return { check: async () => withSettings(withKeys(await databaseReport())) };
}
