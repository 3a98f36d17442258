-- A delivery whose endpoint was disabled when its turn came is recorded as `skipped`, so the deliveries
-- list says what became of every message. The outcome's CHECK is replaced by a wider one, NOT VALID so
-- that adding it scans nothing: every existing row met the narrower check just dropped, so it meets this
-- one, and new rows are checked either way. The version before writes no `skipped`.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '10s';--> statement-breakpoint
ALTER TABLE "webhook_attempts" DROP CONSTRAINT "webhook_attempts_outcome";--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_outcome" CHECK ("webhook_attempts"."outcome" IN ('delivered', 'retrying', 'failed', 'disabled', 'skipped')) NOT VALID;
