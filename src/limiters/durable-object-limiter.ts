import type { RateLimiterClient } from "./limiter";
import type { RateLimiter } from "./rate-limiter-object";

/** The Durable Object as a RateLimiterClient; every call is counted (a billed remote call). */
export function durableObjectLimiter(
  namespace: DurableObjectNamespace<RateLimiter>,
  countCall: () => void = () => undefined,
): RateLimiterClient {
  return {
    check: (key, rule) => {
      countCall();
      return namespace.getByName(key).check(rule);
    },
  };
}
