-- When an endpoint's run of failed attempts began (null while its deliveries succeed): after 5 days of
-- nothing but failures the dispatcher disables it, as Svix does. A nullable column without a default: a
-- catalog change only. The version before it neither reads nor writes it.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "failing_since" timestamp (3) with time zone;
