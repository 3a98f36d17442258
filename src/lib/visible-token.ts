/**
 * 1–255 visible ASCII characters: an `Idempotency-Key`, and a token subject as identity providers name
 * users (`auth0|65f…`, `user_2ab…`). One rule for both, so the header, the token and `customer_id` agree.
 */
export const VISIBLE_TOKEN = /^[\x21-\x7E]{1,255}$/;
