-- The W3C trace context of the request that caused each event (docs/API.md, "Trace context"). Nullable
-- columns without a default: a catalog change only, no rewrite; earlier events have none.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "order_events" ADD COLUMN "traceparent" varchar(55);--> statement-breakpoint
ALTER TABLE "order_events" ADD COLUMN "tracestate" varchar(512);