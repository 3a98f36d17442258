import type { RateLimitDecision, RateLimitRule } from "./limiter";

/**
 * The generic cell rate algorithm: `limit` requests per `periodSeconds`, allowing a burst of the
 * whole quota, then one request every period/limit. One number of state (the theoretical arrival
 * time), exact, and no boundary bursts as with fixed windows.
 */
export function gcra(
  tat: number,
  nowMs: number,
  { limit, periodSeconds }: RateLimitRule,
): { decision: RateLimitDecision; tat: number } {
  const period = periodSeconds * 1000;
  const interval = period / limit;
  const start = Math.max(tat, nowMs);
  const next = start + interval;
  const allowAt = next - period;
  if (nowMs < allowAt) {
    return {
      tat,
      decision: {
        allowed: false,
        remaining: 0,
        resetMs: start - nowMs,
        retryAfterMs: allowAt - nowMs,
      },
    };
  }
  return {
    tat: next,
    decision: {
      allowed: true,
      remaining: Math.max(0, Math.floor((period - (next - nowMs)) / interval)),
      resetMs: next - nowMs,
      retryAfterMs: 0,
    },
  };
}
