-- squawk-ignore-file require-lock-timeout, require-statement-timeout
-- The worker's role reads and writes rows and nothing else: no DDL, no TRUNCATE, no other schema
-- (docs/operations.md, "Database roles"). On Neon, create order_service_app with a password first
-- (console, API or CLI); where it does not exist yet (local PostgreSQL, PGlite) it is created here
-- without LOGIN. Roles are cluster-wide, so two databases migrating at once may race to create it.
-- The grants take no table lock that writes wait on.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'order_service_app') THEN
    CREATE ROLE order_service_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO order_service_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO order_service_app;--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO order_service_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO order_service_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO order_service_app;
