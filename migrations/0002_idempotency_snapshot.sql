-- squawk-ignore-file ban-drop-not-null, require-lock-timeout, require-statement-timeout
-- Expand step, reviewed: replays now read order_snapshot; the old response_status/response_body
-- columns become optional so this version need not write them. Applied before the first production
-- release, so no running version still reads them; a later contract migration may drop them once no
-- deployed version references them. The statements are metadata-only and take their lock briefly.
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_status" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_body" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "order_snapshot" text;