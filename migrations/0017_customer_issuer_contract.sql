-- migrate:contract-after 0016_customer_issuer
-- Contract step, reviewed: the end of 0016. The version before 0016 writes no issuer and keys idempotency
-- records by (customer_subject, key) in its ON CONFLICT, so the runner applies this only in a release after
-- the one that applied 0016 (or on a new database), when every serving version writes the issuer.
-- In a deployment taking both kinds of tokens, rows that version wrote during that rollout got "" whatever
-- their subject: a subject that is not a UUID is the provider's, as in 0016. The defaults go (every
-- version from 0016 on writes the issuer), and the primary key becomes (issuer, subject, key), built on
-- the unique index 0016 made, which it takes over and renames
-- (https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX).
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
DO $$
DECLARE
  provider text := coalesce(current_setting('order_service.provider_issuer', true), '');
  own boolean := coalesce(current_setting('order_service.own_tokens', true), 'on') <> 'off';
BEGIN
  IF provider <> '' AND own THEN
    UPDATE "orders" SET "customer_issuer" = provider WHERE "customer_issuer" = ''
      AND "customer_subject" !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    UPDATE "idempotency_keys" SET "customer_issuer" = provider WHERE "customer_issuer" = ''
      AND "customer_subject" !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    UPDATE "order_events" SET "customer_issuer" = provider WHERE "customer_issuer" = ''
      AND "customer_subject" !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  END IF;
END
$$;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "customer_issuer" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_issuer" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "order_events" ALTER COLUMN "customer_issuer" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_subject_pkey";--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_issuer_pkey" PRIMARY KEY USING INDEX "idempotency_keys_issuer_subject_key_idx";
