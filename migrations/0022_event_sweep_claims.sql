-- When the sweep last handed the event over (null: never): the sweep claims what it hands over, so sweeps
-- running at once (a backlog drains in several steps) never hand over the same event, and hands an event
-- over again only an hour after its last claim. A nullable column without a default: a catalog change
-- only. The version before it neither reads nor writes it.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "order_events" ADD COLUMN "swept_at" timestamp (3) with time zone;
