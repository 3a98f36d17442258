import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MigrationConnection } from "../../../scripts/migrations/migrator.ts";
import { runMigrations } from "../../../scripts/migrations/migrator.ts";
import {
  newPassword,
  provisionWorkerRole,
  WORKER_ROLE,
  WorkerRoleError,
} from "../../../scripts/migrations/worker-role.ts";

/**
 * The worker's role on a PostgreSQL set up as Neon's is (https://neon.com/docs/manage/roles): a
 * `neon_superuser` role (CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS; reads and writes all data), the
 * project's owner `neondb_owner` a member of it and owner of the database, and every role made in the
 * Console, API or CLI a member too. Roles are a cluster's, so this runs on a PGlite of its own rather than
 * on a shared PostgreSQL. Each statement runs as the role named, through SET ROLE.
 */
let db: PGlite;

const NEON = `
  CREATE ROLE neon_superuser NOLOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS;
  GRANT pg_read_all_data, pg_write_all_data TO neon_superuser;
  CREATE ROLE neondb_owner LOGIN CREATEDB CREATEROLE BYPASSRLS IN ROLE neon_superuser;
  DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO neondb_owner', current_database()); END $$;`;

/** A connection whose every statement runs as `role`, as a login of that role would. */
function as(role: string): MigrationConnection {
  return {
    async transaction(statements) {
      await db.transaction(async (tx) => {
        await tx.exec(`SET LOCAL ROLE ${role}`);
        for (const { query, params } of statements) await tx.query(query, params);
      });
    },
    // Outside a transaction, as the runner sends CREATE INDEX CONCURRENTLY: PGlite is one session.
    async scalar({ query, params }) {
      await db.exec(`SET ROLE ${role}`);
      try {
        return (await db.query<unknown[]>(query, params, { rowMode: "array" })).rows[0]?.[0];
      } finally {
        await db.exec("RESET ROLE");
      }
    },
  };
}

/** Runs `statement` as `role`; resolves to the refusal's message, or "allowed". */
async function attempt(role: string, statement: string): Promise<string> {
  try {
    await as(role).scalar({ query: statement, params: [] });
    return "allowed";
  } catch (err) {
    return (err as Error).message;
  }
}

const JOURNAL = 'SELECT count(*) FROM "drizzle"."__drizzle_migrations"';

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(NEON);
  await runMigrations(as("neondb_owner"));
}, 60_000);
afterAll(() => db.close());
// Each test starts with no worker role, whatever the one before it left, and makes the one it needs.
beforeEach(() =>
  db.exec(`RESET ROLE; DROP ROLE IF EXISTS made_by_a_leak; DROP ROLE IF EXISTS console_made;
    DO $$ BEGIN
      IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${WORKER_ROLE}') THEN
        REASSIGN OWNED BY ${WORKER_ROLE} TO neondb_owner; DROP OWNED BY ${WORKER_ROLE}; DROP ROLE ${WORKER_ROLE};
      END IF;
    END $$;`),
);

describe("the worker's role on a Neon-like PostgreSQL", () => {
  it("made in the Console, it reads the journal and makes roles: the script refuses it and changes nothing", async () => {
    await db.exec("CREATE ROLE console_made LOGIN CREATEDB CREATEROLE BYPASSRLS IN ROLE neon_superuser");
    expect(await attempt("console_made", JOURNAL)).toBe("allowed");
    expect(await attempt("console_made", "CREATE ROLE made_by_a_leak")).toBe("allowed");

    // The same role under the worker's name, as checklist step 4 once made it:
    await db.exec(
      `CREATE ROLE ${WORKER_ROLE} LOGIN PASSWORD 'console-made' CREATEDB CREATEROLE BYPASSRLS IN ROLE neon_superuser`,
    );
    const refusal = provisionWorkerRole(as("neondb_owner"), newPassword());
    await expect(refusal).rejects.toThrow(WorkerRoleError);
    await expect(refusal).rejects.toThrow(/CREATEROLE, CREATEDB, BYPASSRLS, member of neon_superuser/);
    const { rows } = await db.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [
      WORKER_ROLE,
    ]);
    expect(rows[0]?.rolpassword).toMatch(/^SCRAM-SHA-256\$/);
  });

  it("made by the owner with SQL, it logs in with its new password and belongs to nothing", async () => {
    expect(await provisionWorkerRole(as("neondb_owner"), newPassword())).toBe("created");
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication,
              (SELECT count(*)::int FROM pg_auth_members WHERE member = r.oid) AS memberships
         FROM pg_roles r WHERE rolname = $1`,
      [WORKER_ROLE],
    );
    expect(rows).toEqual([
      {
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
        rolreplication: false,
        memberships: 0,
      },
    ]);
  });

  it("has migration 0003's grants (made after 0003 ran, it gets them with it): rows, nothing else", async () => {
    await provisionWorkerRole(as("neondb_owner"), newPassword());
    expect(await attempt(WORKER_ROLE, "SELECT count(*) FROM orders")).toBe("allowed");
    expect(await attempt(WORKER_ROLE, JOURNAL)).toMatch(/permission denied for schema drizzle/);
    expect(await attempt(WORKER_ROLE, "CREATE TABLE mine (id int)")).toMatch(/permission denied for schema public/);
    expect(await attempt(WORKER_ROLE, "DROP TABLE orders")).toMatch(/must be owner of table orders/);
    expect(await attempt(WORKER_ROLE, "CREATE ROLE another")).toMatch(/permission denied to create role/);
    expect(await attempt(WORKER_ROLE, "CREATE DATABASE another")).toMatch(/permission denied to create database/);
  });

  it("run again, it rotates the password and keeps the grants", async () => {
    await provisionWorkerRole(as("neondb_owner"), newPassword());
    const before = await db.query<{ p: string }>("SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1", [
      WORKER_ROLE,
    ]);
    expect(await provisionWorkerRole(as("neondb_owner"), newPassword())).toBe("updated");
    const after = await db.query<{ p: string }>("SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1", [
      WORKER_ROLE,
    ]);
    expect(after.rows[0]?.p).not.toBe(before.rows[0]?.p);
    expect(await attempt(WORKER_ROLE, "SELECT count(*) FROM orders")).toBe("allowed");
  });
});
