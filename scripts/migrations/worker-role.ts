/**
 * The worker's database role, made the only way that keeps it least-privilege on Neon: with SQL, by the
 * schema owner. Neon makes every role created in its Console, API or CLI a member of `neon_superuser`
 * (create databases and roles, read and write every table, bypass row-level security), and a role created
 * with SQL only what it is granted (https://neon.com/docs/manage/roles). Migration 0003 grants this one
 * its rows.
 *
 * Its grants are migration 0003's statements, applied again with it (they are idempotent): a role made
 * after 0003 ran, or made again after one from the Console was deleted, has its rows at once.
 *
 * Its password is made here: 32 random bytes, base64url (256 bits; Neon asks a password set with SQL for
 * at least 60 bits of entropy, https://neon.com/docs/security/security-overview). Setting it again
 * rotates it; a Neon branch copies its parent's roles with their passwords, so a preview branch rotates
 * its own copy and staging's is untouched (https://neon.com/docs/manage/roles).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MigrationConnection, SqlStatement } from "./migrator.ts";

export const WORKER_ROLE = "order_service_app";

/** What makes a role more than rows: each of these, on Neon, comes with a Console-made role. */
interface RoleFacts {
  superuser: boolean;
  createrole: boolean;
  createdb: boolean;
  bypassrls: boolean;
  replication: boolean;
  member_of: string[];
}

export class WorkerRoleError extends Error {}

const FACTS = `SELECT json_build_object(
  'superuser', r.rolsuper, 'createrole', r.rolcreaterole, 'createdb', r.rolcreatedb,
  'bypassrls', r.rolbypassrls, 'replication', r.rolreplication,
  'member_of', coalesce((SELECT json_agg(g.rolname ORDER BY g.rolname) FROM pg_auth_members m
                         JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), '[]'::json)
)::text FROM pg_roles r WHERE r.rolname = $1`;

/** Why a role is not the worker's (empty when it holds nothing but what it is granted). */
export function excessOf(facts: RoleFacts): string[] {
  const attributes = (["superuser", "createrole", "createdb", "bypassrls", "replication"] as const)
    .filter((name) => facts[name])
    .map((name) => name.toUpperCase());
  return [...attributes, ...facts.member_of.map((role) => `member of ${role}`)];
}

export const newPassword = () => randomBytes(32).toString("base64url");

/**
 * Roles and their settings are the cluster's, shared by all its databases (on Neon, a branch's:
 * https://neon.com/docs/manage/roles): two owners changing the worker's role at once (two releases on one
 * Neon branch, or tests on one PostgreSQL) collide in the shared catalogs.
 * PostgreSQL then refuses the later change with "tuple concurrently updated" (XX000) once the earlier one has
 * committed, and the later of two CREATE ROLEs with a unique violation (23505) or "already exists" (42710).
 */
export function isRoleRace(err: unknown): boolean {
  if (!(err instanceof Error) || !("code" in err)) return false;
  const { code } = err;
  return code === "23505" || code === "42710" || (code === "XX000" && err.message.includes("concurrently updated"));
}

const ROLE_RACE_TRIES = 8;

/**
 * A change to the role, made again when it lost a race: each is idempotent, and the winner has committed by
 * then. Every loser of one race is refused at the same moment, so each waits a random while first (up to
 * 20 ms, doubling per try), or they would meet again.
 */
async function afterRoleRaces<T>(change: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await change();
    } catch (err) {
      if (attempt >= ROLE_RACE_TRIES || !isRoleRace(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** (attempt - 1)));
    }
  }
}

/** Migration 0003's statements: the role where missing, and its grants on today's and tomorrow's tables. */
function grants(folder: string): SqlStatement[] {
  return readFileSync(join(folder, "0003_worker_role.sql"), "utf8")
    .split("--> statement-breakpoint")
    .map((query) => ({ query: query.trim(), params: [] }));
}

/**
 * Creates the worker's role with LOGIN and `password`, or gives an existing one LOGIN and that password.
 * Refuses a role that can do more than its grants allow (one made in the Neon Console, say): nothing is
 * changed, and the message says what to do.
 */
export async function provisionWorkerRole(
  connection: MigrationConnection,
  password: string,
  folder = "migrations",
): Promise<"created" | "updated"> {
  // A utility statement takes no parameters; the password is base64url, so it cannot leave the literal.
  if (!/^[A-Za-z0-9_-]{22,}$/.test(password))
    throw new WorkerRoleError("the password must be base64url, 22+ characters");
  // Whole, so that a CREATE that lost to another runner's is made again as an ALTER.
  return afterRoleRaces(() => provision(connection, password, folder));
}

async function provision(connection: MigrationConnection, password: string, folder: string) {
  const text = await connection.scalar({ query: FACTS, params: [WORKER_ROLE] });
  if (typeof text === "string") {
    const excess = excessOf(JSON.parse(text) as RoleFacts);
    if (excess.length > 0) {
      throw new WorkerRoleError(
        `${WORKER_ROLE} exists and can do more than read and write rows (${excess.join(", ")}): a role made in ` +
          `the Neon Console, API or CLI is a member of neon_superuser. Delete it there (Roles), then run this ` +
          "again: it is made with SQL, which Neon grants nothing beyond its grants.",
      );
    }
  }
  const verb = typeof text === "string" ? "ALTER" : "CREATE";
  await connection.transaction([
    { query: `${verb} ROLE ${WORKER_ROLE} WITH LOGIN PASSWORD '${password}'`, params: [] },
    ...grants(folder),
  ]);
  return verb === "CREATE" ? "created" : "updated";
}

/**
 * The worker's connection string on the owner's database: the worker's role and password, and on Neon
 * the pooled host (`-pooler` after the endpoint id, https://neon.com/docs/connect/connection-pooling).
 */
export function workerUrlFrom(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = WORKER_ROLE;
  url.password = password;
  const [endpoint, ...rest] = url.hostname.split(".");
  if (url.hostname.endsWith(".neon.tech") && endpoint && !endpoint.endsWith("-pooler")) {
    url.hostname = [`${endpoint}-pooler`, ...rest].join(".");
  }
  return url.toString();
}

/**
 * The database stops a statement of the worker's role that runs past `timeoutMs`, waiting on a lock
 * included: the worker gives up on a call at DB_TIMEOUT_MS, and a write it gave up on must not commit a
 * minute later. Role settings become each new session's defaults
 * (https://www.postgresql.org/docs/current/sql-alterrole.html), which every connection Neon's pooler or
 * HTTP endpoint opens for the role is.
 */
export async function setWorkerTimeouts(
  connection: MigrationConnection,
  timeoutMs: number,
  role = WORKER_ROLE,
): Promise<void> {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new WorkerRoleError("DB_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000");
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new WorkerRoleError(`not a role name: ${role}`);
  await afterRoleRaces(() =>
    connection.transaction([
      { query: `ALTER ROLE ${role} SET statement_timeout = '${timeoutMs}ms'`, params: [] },
      { query: `ALTER ROLE ${role} SET lock_timeout = '${timeoutMs}ms'`, params: [] },
    ]),
  );
}
