-- squawk-ignore-file require-concurrent-index-creation, require-concurrent-index-deletion, require-lock-timeout, require-statement-timeout
-- Exception, reviewed: rebuilt the keyset indexes (DESC NULLS FIRST) before the first production
-- release, on tables without production data. Plain CREATE/DROP INDEX lock writes for as long as they
-- take; on a populated table, build the new index CONCURRENTLY in a migration of its own instead.
DROP INDEX "orders_customer_created_idx";--> statement-breakpoint
DROP INDEX "orders_customer_status_created_idx";--> statement-breakpoint
DROP INDEX "orders_status_created_idx";--> statement-breakpoint
DROP INDEX "orders_created_idx";--> statement-breakpoint
CREATE INDEX "orders_customer_created_idx" ON "orders" USING btree ("customer_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_customer_status_created_idx" ON "orders" USING btree ("customer_id","status","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" USING btree ("status","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);