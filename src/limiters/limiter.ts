/** A limit: `limit` requests per `periodSeconds`. */
export interface RateLimitRule {
  limit: number;
  periodSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Requests still allowed right now. */
  remaining: number;
  /** Milliseconds until the full quota is available again. */
  resetMs: number;
  /** When refused: milliseconds until one more request is allowed; 0 when allowed. */
  retryAfterMs: number;
}

/** Where the rate-limit middleware gets its decisions: a limiter of this folder, anything in tests. */
export interface RateLimiterClient {
  check(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
}
