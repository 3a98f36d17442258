-- migrate:no-transaction
-- squawk-ignore-file require-lock-timeout, require-statement-timeout
-- The forward feed's index (0013's commit order, then time and id), built without blocking writes.
-- CONCURRENTLY cannot run in a transaction, so the statement runs on its own and is idempotent.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "order_events_commit_order_idx" ON "order_events" USING btree (coalesce("txid", '0'::xid8),"created_at","id");
