import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import type { Limiter } from "../limiters/limiter";
import type { RateLimitRule } from "../limiters/rate-rule";

export interface RateLimitOptions {
  /** Names the policy in the headers: `ip`, `user`. */
  policy: string;
  /** The limit the binding was configured with, for the headers. */
  rule: RateLimitRule;
  limiter: Limiter;
  /** The key to count under; undefined skips limiting for this request. */
  keyOf: (c: Context<AppEnv>) => string | undefined;
}

/**
 * Rate limiting on Cloudflare's Rate Limiting binding, with the IETF headers
 * (draft-ietf-httpapi-ratelimit-headers) it can stand behind. The binding answers only whether a
 * request is within the budget, so every limited answer says the policy (`RateLimit-Policy:
 * "ip";q=300;w=60`), and a refusal says none is left for at most one period (`RateLimit:
 * "ip";r=0;t=60`, `Retry-After: 60`); an allowed answer has no remaining count to give. A limiter
 * that fails lets the request through and logs it: losing the limiter must not take the API down.
 */
export function rateLimit({ policy, rule, limiter, keyOf }: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const limited = async (c: Context<AppEnv>, next: Next, key: string) => {
    let allowed: boolean;
    try {
      allowed = (await limiter.limit({ key })).success;
    } catch (err) {
      c.get("logger").warn("rate limiter unavailable, failing open", { policy, cause: err });
      return next();
    }
    c.header("RateLimit-Policy", `"${policy}";q=${rule.limit};w=${rule.periodSeconds}`, { append: true });
    c.get("scope").spanAttributes[`ratelimit.${policy}`] = allowed ? "allowed" : "refused";
    if (!allowed) {
      c.header("RateLimit", `"${policy}";r=0;t=${rule.periodSeconds}`, { append: true });
      throw new AppError("RATE_LIMIT_EXCEEDED", {
        detail: `${policy} limit ${rule.limit}/${rule.periodSeconds}s`,
        retryAfterMs: rule.periodSeconds * 1000,
      });
    }
    await next();
  };
  // A request it does not count (a probe) passes on the chain's promise without an async frame of its own.
  return function rateLimit(c, next) {
    const key = keyOf(c);
    return key === undefined ? next() : limited(c, next, key);
  };
}
