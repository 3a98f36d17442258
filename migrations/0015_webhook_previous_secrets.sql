-- Every secret an endpoint rotated away from within 24 h keeps signing until its own expiry (docs/API.md,
-- "Webhooks"): a list, newest first, where previous_secret held one. A nullable column without a default:
-- a catalog change only. The version before it reads previous_secret, which this version still writes.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "previous_secrets" jsonb;
