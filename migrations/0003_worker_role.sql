-- squawk-ignore-file require-lock-timeout, require-statement-timeout
-- The worker's role reads and writes rows and nothing else: no DDL, no TRUNCATE, no other schema
-- (docs/deploying.md, "Database roles"). Where it does not exist yet it is created here without LOGIN;
-- `npm run db:worker-role` gives it LOGIN and a password, and runs these grants again. Never create it
-- in Neon's Console, API or CLI: those roles are members of neon_superuser. Roles are cluster-wide, so
-- two databases migrating at once may race to create it.
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
