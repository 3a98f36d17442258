/**
 * A limit as configured: `limit` requests per `periodSeconds`. Cloudflare's Rate Limiting binding
 * counts per 10 or 60 seconds, per Cloudflare location
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 */
export interface RateLimitRule {
  limit: number;
  periodSeconds: 10 | 60;
}

/**
 * What the rate-limit middleware asks: the binding's own `limit({ key })`, which answers whether
 * this request is within the key's budget and counts it. Tests pass anything of this shape.
 */
export type Limiter = Pick<RateLimit, "limit">;
