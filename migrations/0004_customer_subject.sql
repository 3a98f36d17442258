-- squawk-ignore-file ban-drop-not-null, require-concurrent-index-creation, adding-not-nullable-field, constraint-missing-not-valid, adding-serial-primary-key-field
-- Expand step, reviewed. Orders and idempotency records belong to the token's subject as its issuer names
-- it (customer_subject: `auth0|…`, a Cognito or Entra id, or this service's own UUIDs), no longer to a UUID
-- only. customer_id stays, nullable, written whenever the subject is a UUID, so the version still serving
-- during a rollout keeps working; for the rows it writes, a trigger fills customer_subject from customer_id.
-- Existing rows get their subject here (one UPDATE: before the first production release these tables are
-- small; on a large orders table, backfill in batches before this migration instead).
-- idempotency_keys holds 24 h of records: its primary key moves to (customer_subject, key), and
-- (customer_id, key) stays unique for the older version's ON CONFLICT; the unique index is built in the
-- transaction because the table is that small. The subject's keyset indexes on orders are built
-- CONCURRENTLY by 0005. A later contract migration drops customer_id, the trigger and the old indexes, and
-- makes orders.customer_subject NOT NULL, once no deployed version reads customer_id.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "customer_subject" varchar(255);--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP NOT NULL;--> statement-breakpoint
UPDATE "orders" SET "customer_subject" = "customer_id"::text WHERE "customer_subject" IS NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "customer_subject" varchar(255);--> statement-breakpoint
UPDATE "idempotency_keys" SET "customer_subject" = "customer_id"::text WHERE "customer_subject" IS NULL;--> statement-breakpoint
CREATE FUNCTION "customer_subject_from_id"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.customer_subject := coalesce(NEW.customer_subject, NEW.customer_id::text);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "orders_customer_subject" BEFORE INSERT OR UPDATE ON "orders"
  FOR EACH ROW EXECUTE FUNCTION "customer_subject_from_id"();--> statement-breakpoint
CREATE TRIGGER "idempotency_keys_customer_subject" BEFORE INSERT OR UPDATE ON "idempotency_keys"
  FOR EACH ROW EXECUTE FUNCTION "customer_subject_from_id"();--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_subject" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_id" DROP NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_customer_key_idx" ON "idempotency_keys" USING btree ("customer_id","key");--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_subject_pkey" PRIMARY KEY("customer_subject","key");
