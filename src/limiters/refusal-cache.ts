import { BoundedMap } from "../lib/bounded-map";
import type { RateLimiterClient } from "./limiter";

export interface RefusalCacheOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Refusals remembered at most; the oldest are forgotten first (the key is then asked again). */
  maxKeys?: number;
}

interface Refusal {
  /** When the remote limiter admits this key again, at the earliest. */
  retryAt: number;
  resetAt: number;
}

/**
 * Remembers a remote limiter's refusals in the isolate until the moment it would admit the key
 * again, and answers them itself until then: a caller who keeps retrying over its limit costs one
 * remote call per refusal period in each isolate, not one per request, and the limiter's Durable
 * Object is not flooded on its behalf. The answers are the limiter's own. Under GCRA a refused key's
 * state cannot move until its next admission, so nothing can admit it earlier. The expiry is
 * measured from before the call, so it never outlasts the refusal. Allowed decisions are never
 * cached: spending a token is the remote limiter's job alone, which keeps the limit exact.
 */
export function withRefusalCache(limiter: RateLimiterClient, { now, maxKeys = 10_000 }: RefusalCacheOptions) {
  const refusals = new BoundedMap<string, Refusal>(maxKeys);
  return {
    async check(key, rule) {
      const asked = now();
      const refusal = refusals.get(key);
      if (refusal !== undefined) {
        if (asked < refusal.retryAt) {
          return {
            allowed: false,
            remaining: 0,
            resetMs: refusal.resetAt - asked,
            retryAfterMs: refusal.retryAt - asked,
          };
        }
        refusals.delete(key);
      }
      const decision = await limiter.check(key, rule);
      if (!decision.allowed) {
        refusals.set(key, { retryAt: asked + decision.retryAfterMs, resetAt: asked + decision.resetMs });
      }
      return decision;
    },
    /** Refusals held now (for tests and the curious). */
    get size() {
      return refusals.size;
    },
  } satisfies RateLimiterClient & { readonly size: number };
}
