-- migrate:no-transaction
-- squawk-ignore-file require-lock-timeout, require-statement-timeout
-- The keyset indexes of 0004's customer_subject, built without blocking writes. CONCURRENTLY cannot run in
-- a transaction, so each statement runs on its own (a timeout set here would reach nothing over HTTP) and
-- is idempotent: a run stopped half-way is finished by the next one.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "orders_subject_created_idx" ON "orders" USING btree ("customer_subject","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "orders_subject_status_created_idx" ON "orders" USING btree ("customer_subject","status","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);
