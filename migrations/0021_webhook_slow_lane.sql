-- Since when an endpoint's receiver has been too slow for the fast lane (null while it answers in time):
-- its deliveries go to the slow lane's queue, where a hung receiver holds only batches of its kind. A
-- nullable column without a default: a catalog change only. The version before it neither reads nor
-- writes it.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "slow_since" timestamp (3) with time zone;
