-- migrate:no-transaction
-- migrate:contract-after 0004_customer_subject
-- squawk-ignore-file require-lock-timeout, require-statement-timeout
-- The keyset indexes on customer_id: orders are listed by customer_subject since 0004 (0005's indexes), and
-- these only slowed every insert down. Only the version before 0004 read them, so the runner applies this
-- in a release after the one that applied 0004 (or on a new database). CONCURRENTLY, so writes are never
-- blocked; outside a transaction, so a timeout set here would reach nothing over HTTP; IF EXISTS, so a run
-- stopped half-way is finished by the next.
DROP INDEX CONCURRENTLY IF EXISTS "orders_customer_created_idx";--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "orders_customer_status_created_idx";
