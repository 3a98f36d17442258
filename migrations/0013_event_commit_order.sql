-- The id of the transaction that wrote each event: the forward feed reads in that order and shows an
-- event only once every transaction before it has finished, so no event can commit behind a reader's
-- cursor (docs/API.md, "GET /v1/events"). Added without a default (a catalog change, no rewrite of the
-- table), then given one for the rows written from now on; earlier events keep none and read as 0.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "order_events" ADD COLUMN "txid" xid8;--> statement-breakpoint
ALTER TABLE "order_events" ALTER COLUMN "txid" SET DEFAULT pg_current_xact_id();
