import { BoundedMap } from "../lib/bounded-map";
import { gcra } from "./gcra";
import type { RateLimitDecision, RateLimitRule } from "./limiter";

export interface LocalLimiterOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Keys remembered at most; the least recently seen are forgotten first (they are the quietest). */
  maxKeys?: number;
}

/**
 * GCRA in this isolate's memory: no remote call, so a request refused here costs nothing billed and
 * nothing on the network. Its scope is the isolate (a client spread over many isolates gets more);
 * that is the per-IP layer's job — a cheap first filter before any token is checked — while the exact
 * per-caller limit stays on a Durable Object. Memory is bounded by `maxKeys`.
 */
export function createLocalLimiter({ now, maxKeys = 10_000 }: LocalLimiterOptions) {
  const tats = new BoundedMap<string, number>(maxKeys);
  return {
    async check(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
      const t = now();
      const previous = tats.get(key) ?? 0;
      const { decision, tat } = gcra(previous, t, rule);
      // Re-insert, so the Map's order is least recently seen first.
      tats.delete(key);
      tats.set(key, tat);
      return decision;
    },
    /** Keys held now (for tests and the curious). */
    get size() {
      return tats.size;
    },
  };
}
