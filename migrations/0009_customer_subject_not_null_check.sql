-- Expand step, reviewed. Every order has a customer_subject (each version since 0004 writes it; 0004's
-- trigger and backfill fill it for older writers): this constraint says so for new rows at once. NOT VALID,
-- so adding it scans nothing; 0010 checks the existing rows without blocking writes, and 0012 turns it into
-- NOT NULL. The release that applies this migration is the first whose code writes no customer_id,
-- response_status or response_body: 0012 drops them, so it names this migration as its expand step and
-- waits for a release after this one (docs/deploying.md, "Migrations").
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '10s';--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_subject_not_null" CHECK ("customer_subject" IS NOT NULL) NOT VALID;
