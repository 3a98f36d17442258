import { DurableObject } from "cloudflare:workers";
import { gcra } from "./gcra";
import type { RateLimitDecision, RateLimitRule } from "./limiter";

/**
 * One Durable Object per limited key (`user:…`): every request for a key, from any
 * isolate or location, meets the same counter, so the limit is exact. The state is one number
 * kept in memory; if the object is evicted after a quiet spell, the key starts afresh — a quiet
 * key is under its limit anyway.
 */
export class RateLimiter extends DurableObject {
  private tat = 0;

  check(rule: RateLimitRule): RateLimitDecision {
    const { decision, tat } = gcra(this.tat, Date.now(), rule);
    this.tat = tat;
    return decision;
  }
}
