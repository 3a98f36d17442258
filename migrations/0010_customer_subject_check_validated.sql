-- 0009's constraint checked against the existing rows, in a transaction of its own: VALIDATE CONSTRAINT
-- takes a SHARE UPDATE EXCLUSIVE lock, so reads and writes go on while it scans
-- (https://www.postgresql.org/docs/15/sql-altertable.html#SQL-ALTERTABLE-NOTES). On a large orders
-- table, raise the statement timeout for this one migration.
SET LOCAL lock_timeout = '2s';--> statement-breakpoint
SET LOCAL statement_timeout = '60s';--> statement-breakpoint
ALTER TABLE "orders" VALIDATE CONSTRAINT "orders_customer_subject_not_null";
