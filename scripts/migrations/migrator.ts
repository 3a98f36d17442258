/**
 * Applies drizzle-kit's migrations (migrations/) atomically and exclusively, over any connection that
 * can run a list of statements as one transaction: Neon's HTTP driver (one non-interactive transaction
 * per request), `pg`, or the local SQL server's backend.
 *
 * - Atomic: each migration's statements and its journal row commit in one transaction, so a failure
 *   leaves the database exactly as before that migration, and the rerun after a fix starts clean.
 *   (drizzle-orm's neon-http migrator sends every statement as its own request: no transaction.)
 * - Exclusive: every transaction first takes one transaction-scoped advisory lock, then checks the
 *   journal: a second runner waits for the first to commit, finds the migration recorded and skips it.
 *   A session-level lock cannot be held over HTTP, where each request is its own session.
 * - A migration whose first line is `-- migrate:no-transaction` (for `CREATE INDEX CONCURRENTLY`, which
 *   Postgres refuses inside a transaction) runs statement by statement, each of which must be
 *   idempotent (`IF NOT EXISTS`), and is then recorded under the lock.
 * - A contract step, marked `-- migrate:contract-after <tag>` among its first comment lines, removes
 *   what only the version before <tag> used. That version may still serve until a release whose
 *   migrations include <tag> has reached all traffic, which `npm run release` records (`markShipped`).
 *   So the step (and every migration after it, to keep their order) waits when this run applied <tag>,
 *   or when the last release recorded had not shipped <tag> (one that rolled back records nothing), or
 *   when the version serving is not the one recorded (rolled back by hand); on a new database, where no
 *   version has served, it applies at once.
 *
 * The journal is drizzle's own (`drizzle.__drizzle_migrations`, keyed by the journal's `when`), so
 * drizzle-kit and this runner agree on what ran.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationHeader } from "./header.ts";

export interface SqlStatement {
  query: string;
  params: (string | null)[];
}

/** What the runner needs of a connection. */
export interface MigrationConnection {
  /** Runs the statements as one transaction: all commit, or none (the first error rejects). */
  transaction(statements: SqlStatement[]): Promise<void>;
  /** Runs one statement on its own and returns its first row's first column. */
  scalar(statement: SqlStatement): Promise<unknown>;
}

export interface MigrationRun {
  /** Migrations recorded in the journal before and after the run. */
  before: number;
  after: number;
  /** Tags this run applied; tags another runner applied while this one waited. */
  applied: string[];
  appliedElsewhere: string[];
  /** Tags left for a later run: a contract step whose expand step has not shipped, and those after it. */
  deferred: string[];
}

/** "2 migration(s) applied; 0003_x by another run; 5 in the journal": what a run did, for a person. */
export function describeRun(run: MigrationRun, next = "the next release"): string {
  const elsewhere = run.appliedElsewhere.length ? `; ${run.appliedElsewhere.join(", ")} by another run` : "";
  const deferred = run.deferred.length
    ? `; left for ${next}: ${run.deferred.join(", ")} (a contract step after a migration no version serving all traffic has shipped)`
    : "";
  return `${run.applied.length} migration(s) applied${elsewhere}; ${run.after} in the journal${deferred}`;
}

/** One key for every runner of this service's migrations (pg_advisory_xact_lock takes a bigint). */
const LOCK = "SELECT pg_advisory_xact_lock(7315829460183)";
const ALREADY_APPLIED = "migration already applied";
const JOURNAL = '"drizzle"."__drizzle_migrations"';
/** The version a release left serving all traffic, and the newest migration it had (`when`): one row. */
const SHIPPED = '"drizzle"."order_service_shipped"';

const statement = (query: string, params: (string | null)[] = []): SqlStatement => ({ query, params });

/** Aborts the transaction when the journal already holds this migration (or a later one, as drizzle reads it). */
function guard(when: number): SqlStatement {
  return statement(
    `DO $$ BEGIN IF EXISTS (SELECT 1 FROM ${JOURNAL} WHERE created_at >= ${when}) THEN ` +
      `RAISE EXCEPTION '${ALREADY_APPLIED}'; END IF; END $$`,
  );
}

function isAlreadyApplied(err: unknown): boolean {
  return err instanceof Error && err.message.includes(ALREADY_APPLIED);
}

interface Migration {
  tag: string;
  when: number;
  hash: string;
  statements: string[];
  transactional: boolean;
  /** The expand step this migration is the contract step of. */
  contractAfter: string | undefined;
}

function readMigrations(folder: string): Migration[] {
  const files = readMigrationFiles({ migrationsFolder: folder });
  const tags = (JSON.parse(readJournal(folder)) as { entries: { tag: string }[] }).entries.map((e) => e.tag);
  const migrations = files.map((file, i) => ({
    tag: tags[i] ?? String(file.folderMillis),
    when: file.folderMillis,
    hash: file.hash,
    statements: file.sql.filter((s) => s.trim() !== ""),
    ...migrationHeader(file.sql[0] ?? ""),
  }));
  migrations.forEach(({ tag, contractAfter }, i) => {
    if (contractAfter !== undefined && !migrations.slice(0, i).some((earlier) => earlier.tag === contractAfter)) {
      throw new Error(`migration ${tag} is a contract step after ${contractAfter}, which is not an earlier migration`);
    }
  });
  return migrations;
}

function readJournal(folder: string): string {
  return readFileSync(join(folder, "meta", "_journal.json"), "utf8");
}

async function journalSize(connection: MigrationConnection): Promise<number> {
  return Number(await connection.scalar(statement(`SELECT count(*) FROM ${JOURNAL}`)));
}

async function applyOne(
  connection: MigrationConnection,
  migration: Migration,
  settings: SqlStatement[],
): Promise<"applied" | "elsewhere"> {
  const record = statement(`INSERT INTO ${JOURNAL} (hash, created_at) VALUES ($1, $2)`, [
    migration.hash,
    String(migration.when),
  ]);
  const body = migration.statements.map((query) => statement(query));
  try {
    if (migration.transactional) {
      await connection.transaction([statement(LOCK), guard(migration.when), ...settings, ...body, record]);
    } else {
      for (const step of body) await connection.scalar(step);
      await connection.transaction([statement(LOCK), guard(migration.when), record]);
    }
    return "applied";
  } catch (err) {
    if (isAlreadyApplied(err)) return "elsewhere";
    throw new MigrationError(migration.tag, err);
  }
}

/** A migration failed; what ran of it was rolled back (or, without a transaction, is idempotent). */
export class MigrationError extends Error {
  override name = "MigrationError";
  readonly tag: string;
  constructor(tag: string, reason: unknown) {
    super(`migration ${tag} failed and was rolled back: ${reason instanceof Error ? reason.message : String(reason)}`, {
      cause: reason,
    });
    this.tag = tag;
  }
}

export interface RunOptions {
  /** The version serving all traffic now, as the release found it: checked against the record. */
  servingVersion?: string;
  /** The tokens the deployment takes, which a data migration may need (0016 and 0017 do). */
  issuers?: TokenIssuers;
}

/**
 * Which tokens a deployment takes: this service's own (HS256) and an identity provider's, named by its
 * `iss`. A transactional migration reads them as `order_service.own_tokens` (`on`/`off`) and
 * `order_service.provider_issuer` (empty without one); unset, they mean this service's tokens only.
 */
export interface TokenIssuers {
  ownTokens: boolean;
  provider: string | undefined;
}

/** The settings a transactional migration sees, local to its transaction. */
function issuerSettings(issuers: TokenIssuers | undefined): SqlStatement[] {
  if (issuers === undefined) return [];
  return [
    statement(
      "SELECT set_config('order_service.own_tokens', $1, true), set_config('order_service.provider_issuer', $2, true)",
      [issuers.ownTokens ? "on" : "off", issuers.provider ?? ""],
    ),
  ];
}

export async function runMigrations(
  connection: MigrationConnection,
  folder = "migrations",
  options: RunOptions = {},
): Promise<MigrationRun> {
  const migrations = readMigrations(folder);
  await connection.transaction([
    statement(LOCK),
    statement('CREATE SCHEMA IF NOT EXISTS "drizzle"'),
    statement(`CREATE TABLE IF NOT EXISTS ${JOURNAL} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`),
    statement(
      `CREATE TABLE IF NOT EXISTS ${SHIPPED} (id smallint PRIMARY KEY CHECK (id = 1), through bigint NOT NULL, ` +
        "version_id text, shipped_at timestamptz NOT NULL DEFAULT now())",
    ),
    // Another version serves than the one recorded (a rollback by hand, a deploy outside the release):
    // what it was released with is unknown, so every contract step waits for a release to reach 100 %.
    ...(options.servingVersion === undefined
      ? []
      : [
          statement(
            `UPDATE ${SHIPPED} SET through = 0, version_id = NULL WHERE id = 1 AND version_id IS DISTINCT FROM $1`,
            [options.servingVersion],
          ),
        ]),
  ]);
  const before = await journalSize(connection);
  const shipped = await connection.scalar(statement(`SELECT through FROM ${SHIPPED} WHERE id = 1`));
  const last = Number(await connection.scalar(statement(`SELECT coalesce(max(created_at), 0) FROM ${JOURNAL}`)));
  const run: MigrationRun = { before, after: before, applied: [], appliedElsewhere: [], deferred: [] };
  const whenOf = new Map(migrations.map((m) => [m.tag, m.when]));
  /** Whether the version serving all traffic may still be one from before this expand step. */
  const unshipped = (tag: string) =>
    [...run.applied, ...run.appliedElsewhere].includes(tag) ||
    (shipped != null && (whenOf.get(tag) ?? 0) > Number(shipped));
  const pending = migrations.filter((migration) => migration.when > last);
  for (const [i, migration] of pending.entries()) {
    const { contractAfter } = migration;
    if (before > 0 && contractAfter !== undefined && unshipped(contractAfter)) {
      run.deferred = pending.slice(i).map((m) => m.tag);
      break;
    }
    const outcome = await applyOne(connection, migration, issuerSettings(options.issuers));
    (outcome === "applied" ? run.applied : run.appliedElsewhere).push(migration.tag);
  }
  run.after = await journalSize(connection);
  return run;
}

/**
 * Records that `versionId`, now serving all traffic, was released with every migration of `folder`:
 * contract steps after any of them may run from now on. `npm run release` calls it once its rollout
 * reaches 100 %; a release stopped short, or rolled back, records nothing, and an older version released
 * again lowers the mark.
 */
export async function markShipped(
  connection: MigrationConnection,
  versionId: string,
  folder = "migrations",
): Promise<void> {
  const newest = Math.max(0, ...readMigrations(folder).map((m) => m.when));
  await connection.transaction([
    statement(
      `INSERT INTO ${SHIPPED} (id, through, version_id) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE ` +
        "SET through = excluded.through, version_id = excluded.version_id, shipped_at = now()",
      [String(newest), versionId],
    ),
  ]);
}
