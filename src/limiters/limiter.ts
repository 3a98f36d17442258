/**
 * What the rate-limit middleware asks: the binding's own `limit({ key })`, which answers whether
 * this request is within the key's budget and counts it. Tests pass anything of this shape.
 */
export type Limiter = Pick<RateLimit, "limit">;
