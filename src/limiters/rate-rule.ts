/**
 * A limit as configured: `limit` requests per `periodSeconds`. Cloudflare's Rate Limiting binding
 * counts per 10 or 60 seconds, per Cloudflare location
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 */
export interface RateLimitRule {
  limit: number;
  periodSeconds: 10 | 60;
}

/** `<requests>/10s` or `<requests>/60s`, as RATE_LIMIT_IP / RATE_LIMIT_USER are written. */
export const RATE_RULE_TEXT = /^([1-9]\d{0,8})\/(10|60)s$/;

/** The rule a setting states; undefined for anything the binding cannot count. */
export function parseRateRule(text: string): RateLimitRule | undefined {
  const m = RATE_RULE_TEXT.exec(text);
  return m ? { limit: Number(m[1]), periodSeconds: m[2] === "10" ? 10 : 60 } : undefined;
}
