-- squawk-ignore-file require-concurrent-index-creation
-- Expand step, reviewed. A customer is a subject within its issuer (OIDC Core §5.7, RFC 8725 §3.8):
-- customer_issuer is "" for this service's own tokens and the provider's `iss` for its tokens, on orders,
-- idempotency records and events. Adding a column with a constant default is a catalog change only
-- (https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-NOTES), so the DEFAULT is the
-- issuer the rows already there belong to, when one issuer can have written them all:
-- - a deployment that takes no provider tokens: every row is this service's ("");
-- - one that takes only a provider's: every row is the provider's, and so is every row the version before
--   this one writes until this release serves all traffic (it writes no issuer, so it gets the default);
-- - one that takes both: a subject that is not a UUID can only be a provider's (this service's own are
--   UUIDs), and one UPDATE says so; a UUID subject stays this service's customer, since before this step
--   a provider's UUID subject and ours were one customer (docs/deploying.md, "Customer issuers", shows how
--   to give them to the provider instead). 0017 repeats it for the rows the version before writes meanwhile.
-- The release passes which tokens the deployment takes (order_service.own_tokens, .provider_issuer;
-- scripts/migrations/migrator.ts); without them, this service's own tokens only. The UPDATE is one
-- statement: before the first production release these tables are small; on a large table, backfill in
-- batches before this migration instead.
-- The new unique key of idempotency records is built in the transaction because that table holds a day.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
DO $$
DECLARE
  provider text := coalesce(current_setting('order_service.provider_issuer', true), '');
  own boolean := coalesce(current_setting('order_service.own_tokens', true), 'on') <> 'off';
  existing text := CASE WHEN provider <> '' AND NOT own THEN provider ELSE '' END;
BEGIN
  EXECUTE format('ALTER TABLE "orders" ADD COLUMN "customer_issuer" varchar(255) DEFAULT %L NOT NULL', existing);
  EXECUTE format('ALTER TABLE "idempotency_keys" ADD COLUMN "customer_issuer" varchar(255) DEFAULT %L NOT NULL', existing);
  EXECUTE format('ALTER TABLE "order_events" ADD COLUMN "customer_issuer" varchar(255) DEFAULT %L NOT NULL', existing);
  IF provider <> '' AND own THEN
    UPDATE "orders" SET "customer_issuer" = provider
      WHERE "customer_subject" !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    UPDATE "idempotency_keys" SET "customer_issuer" = provider
      WHERE "customer_subject" !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    UPDATE "order_events" SET "customer_issuer" = provider
      WHERE "customer_subject" !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  END IF;
END
$$;--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_issuer_subject_key_idx" ON "idempotency_keys" USING btree ("customer_issuer","customer_subject","key");
