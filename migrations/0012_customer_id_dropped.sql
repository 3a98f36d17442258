-- migrate:contract-after 0009_customer_subject_not_null_check
-- squawk-ignore-file ban-drop-column, adding-not-nullable-field
-- Contract step, reviewed: the end of 0004's move from customer_id to customer_subject. The version before
-- 0009 still writes customer_id (and response_status and response_body, which nothing has read since
-- 0002), so the runner applies this only in a release after the one that applied 0009 (or on a new
-- database), when no serving version writes or reads these columns.
-- SET NOT NULL skips its scan of orders: 0010 validated a CHECK that proves it
-- (https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL); the CHECK
-- then goes. The triggers that filled customer_subject from customer_id go before the columns they read.
-- Dropping a column only marks it dropped in the catalog: no rewrite, a brief lock.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '10s';--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "customer_subject" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_customer_subject_not_null";--> statement-breakpoint
DROP TRIGGER "orders_customer_subject" ON "orders";--> statement-breakpoint
DROP TRIGGER "idempotency_keys_customer_subject" ON "idempotency_keys";--> statement-breakpoint
DROP FUNCTION "customer_subject_from_id"();--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP COLUMN "customer_id";--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP COLUMN "response_status";--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP COLUMN "response_body";--> statement-breakpoint
ALTER TABLE "orders" DROP COLUMN "customer_id";
