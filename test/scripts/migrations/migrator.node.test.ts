import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BackendProvider } from "../../../dev/sql-server/backend.ts";
import { createProvider } from "../../../dev/sql-server/provider.ts";
import { type SqlServer, startSqlServer } from "../../../dev/sql-server/server.ts";
import { httpConnection, pgConnection } from "../../../scripts/migrations/connections.ts";
import { describeRun, MigrationError, markShipped, runMigrations } from "../../../scripts/migrations/migrator.ts";

/**
 * The runner over Neon's HTTP driver against the local server (PGlite; PostgreSQL when
 * TEST_DATABASE_URL is set, where the concurrent runs really overlap on a pool of connections),
 * and over `pg` straight to PostgreSQL.
 */
const postgresUrl = process.env.TEST_DATABASE_URL;
let server: SqlServer;
let provider: BackendProvider;
let databases = 0;
/** The running test's databases: an in-memory PGlite holds ~250 MB, so each goes when its test ends. */
const made: string[] = [];

beforeAll(async () => {
  provider = createProvider({ databaseUrl: postgresUrl, createDatabases: true, dropCreatedOnClose: true });
  server = await startSqlServer({ provider });
});
afterEach(() => Promise.all(made.splice(0).map((name) => provider.release(name))));
afterAll(() => server.close());

/** A fresh database behind the server, reached over HTTP. */
function freshHttpDatabase() {
  const name = `ot_migrator_${process.pid}_${++databases}`;
  made.push(name);
  return () => httpConnection(`postgres://owner:pw@localhost/${name}`, server.url);
}

/** A migrations folder as drizzle-kit writes it: a journal and one file per tag. */
function folder(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  mkdirSync(join(dir, "meta"));
  rewrite(dir, migrations);
  return dir;
}

function rewrite(dir: string, migrations: Record<string, string>): void {
  const entries = Object.keys(migrations).map((tag, idx) => ({
    idx,
    version: "7",
    when: 1_000 + idx,
    tag,
    breakpoints: true,
  }));
  writeFileSync(join(dir, "meta", "_journal.json"), JSON.stringify({ version: "7", dialect: "postgresql", entries }));
  for (const [tag, sql] of Object.entries(migrations)) writeFileSync(join(dir, `${tag}.sql`), sql);
}

const steps = (...statements: string[]) => statements.join("--> statement-breakpoint\n");
/** A query's one text value (a comma-separated list of names), read from the database. */
const listed = (query: string) => async (connect: () => ReturnType<typeof httpConnection>) =>
  String(await connect().scalar({ query, params: [] }));
const tables = listed(
  "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables WHERE schemaname = 'public'",
);
const indexesOfA = listed(
  "SELECT coalesce(string_agg(indexname, ',' ORDER BY indexname), '') FROM pg_indexes WHERE tablename = 'a'",
);

describe("the migration runner", () => {
  it("applies each migration once, and a second run finds nothing to do", async () => {
    const connect = freshHttpDatabase();
    const dir = folder({
      "0000_a": steps("SET LOCAL lock_timeout = '2s';", 'CREATE TABLE "a" (id int);'),
      "0001_b": steps('CREATE TABLE "b" (id int);'),
    });
    expect(await runMigrations(connect(), dir)).toEqual({
      before: 0,
      after: 2,
      applied: ["0000_a", "0001_b"],
      appliedElsewhere: [],
      deferred: [],
    });
    expect(await runMigrations(connect(), dir)).toEqual({
      before: 2,
      after: 2,
      applied: [],
      appliedElsewhere: [],
      deferred: [],
    });
    expect(await tables(connect)).toBe("a,b");
  });

  it("leaves nothing of a migration that fails on its third statement, and the rerun after the fix applies it", async () => {
    const connect = freshHttpDatabase();
    const dir = folder({
      "0000_a": steps('CREATE TABLE "a" (id int);'),
      "0001_b": steps('CREATE TABLE "b" (id int);', 'INSERT INTO "a" VALUES (1);', 'INSERT INTO "a" VALUES (1 / 0);'),
    });
    const failure = await runMigrations(connect(), dir).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).tag).toBe("0001_b");
    expect((failure as Error).message).toContain("division by zero");
    expect(await tables(connect)).toBe("a");
    expect(await connect().scalar({ query: 'SELECT count(*) FROM "a"', params: [] })).toBe("0");
    expect(await connect().scalar({ query: 'SELECT count(*) FROM "drizzle"."__drizzle_migrations"', params: [] })).toBe(
      "1",
    );

    rewrite(dir, {
      "0000_a": steps('CREATE TABLE "a" (id int);'),
      "0001_b": steps('CREATE TABLE "b" (id int);', 'INSERT INTO "a" VALUES (1);', 'INSERT INTO "a" VALUES (2);'),
    });
    expect(await runMigrations(connect(), dir)).toMatchObject({ before: 1, after: 2, applied: ["0001_b"] });
    expect(await tables(connect)).toBe("a,b");
    expect(await connect().scalar({ query: 'SELECT count(*) FROM "a"', params: [] })).toBe("2");
  });

  it("applies once when two runs start together: the second waits on the lock, then skips", async () => {
    const connect = freshHttpDatabase();
    const dir = folder({
      "0000_a": steps('CREATE TABLE "a" (id int);', "SELECT pg_sleep(0.05);"),
      "0001_b": steps('CREATE TABLE "b" (id int);'),
    });
    const runs = await Promise.all([runMigrations(connect(), dir), runMigrations(connect(), dir)]);
    const applied = runs.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(["0000_a", "0001_b"]);
    expect(runs.every((r) => r.after === 2)).toBe(true);
    expect(await tables(connect)).toBe("a,b");
  });

  it("runs a migration marked -- migrate:no-transaction statement by statement (CREATE INDEX CONCURRENTLY)", async () => {
    const connect = freshHttpDatabase();
    const dir = folder({
      "0000_a": steps('CREATE TABLE "a" (id int);'),
      "0001_index": steps('-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "a_id_idx" ON "a" (id);'),
    });
    expect((await runMigrations(connect(), dir)).applied).toEqual(["0000_a", "0001_index"]);
    expect(
      await connect().scalar({ query: "SELECT count(*) FROM pg_indexes WHERE indexname = 'a_id_idx'", params: [] }),
    ).toBe("1");
  });

  describe("a contract step (-- migrate:contract-after <tag>)", () => {
    const expandAndContract = {
      "0000_a": steps('CREATE TABLE "a" (id int, old int);', 'CREATE UNIQUE INDEX "a_old_idx" ON "a" (old);'),
      "0001_expand": steps('ALTER TABLE "a" ADD COLUMN "new" int;', 'CREATE UNIQUE INDEX "a_new_idx" ON "a" (new);'),
      "0002_contract": steps(
        "-- migrate:no-transaction\n-- migrate:contract-after 0001_expand\n-- what only the version before 0001 used",
        'DROP INDEX CONCURRENTLY IF EXISTS "a_old_idx";',
      ),
      "0003_c": steps('CREATE TABLE "c" (id int);'),
    };

    it("waits for the next run when this run applied its expand step: the old version may still serve", async () => {
      const connect = freshHttpDatabase();
      const dir = folder({ "0000_a": expandAndContract["0000_a"] });
      await runMigrations(connect(), dir);

      rewrite(dir, expandAndContract);
      const release = await runMigrations(connect(), dir);
      expect(release).toEqual({
        before: 1,
        after: 2,
        applied: ["0001_expand"],
        appliedElsewhere: [],
        deferred: ["0002_contract", "0003_c"],
      });
      expect(describeRun(release)).toBe(
        "1 migration(s) applied; 2 in the journal; left for the next release: 0002_contract, 0003_c " +
          "(a contract step after a migration no version serving all traffic has shipped)",
      );
      expect(describeRun(release, "the next start")).toContain("; left for the next start: 0002_contract, 0003_c ");
      expect(await indexesOfA(connect)).toBe("a_new_idx,a_old_idx");
      expect(await tables(connect)).toBe("a");

      const next = await runMigrations(connect(), dir);
      expect(next).toMatchObject({ before: 2, after: 4, applied: ["0002_contract", "0003_c"], deferred: [] });
      expect(await indexesOfA(connect)).toBe("a_new_idx");
      expect(await tables(connect)).toBe("a,c");
    });

    it("applies at once on a new database, where no version has served", async () => {
      const connect = freshHttpDatabase();
      const run = await runMigrations(connect(), folder(expandAndContract));
      expect(run).toMatchObject({ before: 0, after: 4, deferred: [] });
      expect(run.applied).toEqual(Object.keys(expandAndContract));
      expect(await indexesOfA(connect)).toBe("a_new_idx");
    });

    it("applies at once when its expand step shipped in an earlier release", async () => {
      const connect = freshHttpDatabase();
      const { "0002_contract": contract, "0003_c": _, ...expanded } = expandAndContract;
      const dir = folder(expanded);
      await runMigrations(connect(), dir);
      rewrite(dir, { ...expanded, "0002_contract": contract });
      expect(await runMigrations(connect(), dir)).toMatchObject({ applied: ["0002_contract"], deferred: [] });
    });

    it("waits, after a release that rolled back, until a release with its expand step reaches all traffic", async () => {
      const connect = freshHttpDatabase();
      const { "0002_contract": contract, "0003_c": _, ...expanded } = expandAndContract;
      const dir = folder({ "0000_a": expandAndContract["0000_a"] });
      await runMigrations(connect(), dir);
      await markShipped(connect(), "v0", dir);

      // The release of 0001 migrates, then rolls back: the version before it serves again, unmarked.
      rewrite(dir, expanded);
      expect(await runMigrations(connect(), dir)).toMatchObject({ applied: ["0001_expand"], deferred: [] });
      // The next release carries the contract step too: the version before 0001 still serves all traffic.
      rewrite(dir, { ...expanded, "0002_contract": contract });
      expect(await runMigrations(connect(), dir)).toMatchObject({ applied: [], deferred: ["0002_contract"] });
      expect(await indexesOfA(connect)).toBe("a_new_idx,a_old_idx");

      // That release reaches 100 %: the version serving everything has 0001, and the step may run.
      await markShipped(connect(), "v2", dir);
      expect(await runMigrations(connect(), dir)).toMatchObject({ applied: ["0002_contract"], deferred: [] });
      expect(await indexesOfA(connect)).toBe("a_new_idx");
    });

    it("waits again when an older version is released after a newer one: the mark follows what serves", async () => {
      const connect = freshHttpDatabase();
      const { "0002_contract": contract, "0003_c": _, ...expanded } = expandAndContract;
      const old = folder({ "0000_a": expandAndContract["0000_a"] });
      const dir = folder(expanded);
      await runMigrations(connect(), dir);
      await markShipped(connect(), "v1", dir);
      await markShipped(connect(), "v0", old);
      rewrite(dir, { ...expanded, "0002_contract": contract });
      expect(await runMigrations(connect(), dir)).toMatchObject({ applied: [], deferred: ["0002_contract"] });
    });

    it("waits when another version serves than the one recorded: a rollback by hand is no release", async () => {
      const connect = freshHttpDatabase();
      const { "0002_contract": contract, "0003_c": _, ...expanded } = expandAndContract;
      const dir = folder(expanded);
      await runMigrations(connect(), dir);
      await markShipped(connect(), "v1", dir);
      rewrite(dir, { ...expanded, "0002_contract": contract });
      // v1 was rolled back by hand to v0: what v0 was released with is unknown, so nothing is removed.
      expect(await runMigrations(connect(), dir, { servingVersion: "v0" })).toMatchObject({
        applied: [],
        deferred: ["0002_contract"],
      });
      // The record is forgotten for good: a run that cannot check (db:migrate) does not trust it either.
      expect(await runMigrations(connect(), dir)).toMatchObject({ applied: [], deferred: ["0002_contract"] });
      await markShipped(connect(), "v2", dir);
      expect(await runMigrations(connect(), dir, { servingVersion: "v2" })).toMatchObject({
        applied: ["0002_contract"],
      });
    });

    it("refuses a contract step naming no earlier migration, before touching the database", async () => {
      const connect = freshHttpDatabase();
      const dir = folder({
        "0000_a": steps('CREATE TABLE "a" (id int);'),
        "0001_contract": steps("-- migrate:contract-after 0002_later", 'DROP TABLE "a";'),
        "0002_later": steps('CREATE TABLE "b" (id int);'),
      });
      await expect(runMigrations(connect(), dir)).rejects.toThrow(
        "migration 0001_contract is a contract step after 0002_later, which is not an earlier migration",
      );
      expect(await tables(connect)).toBe("");
    });
  });

  it.runIf(postgresUrl)("holds on PostgreSQL over pg too: two sessions at once apply once", async () => {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const name = `ot_migrator_pg_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(postgresUrl ?? "");
    url.pathname = `/${name}`;
    const clients = [
      new pg.Client({ connectionString: url.toString() }),
      new pg.Client({ connectionString: url.toString() }),
    ];
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const dir = folder({ "0000_a": steps('CREATE TABLE "a" (id int);', "SELECT pg_sleep(0.05);") });
      const runs = await Promise.all(clients.map((c) => runMigrations(pgConnection(c), dir)));
      // One applied it; the other waited on the lock and found it done (or started after it was).
      expect(runs.flatMap((r) => r.applied)).toEqual(["0000_a"]);
      expect(runs.map((r) => r.after)).toEqual([1, 1]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
