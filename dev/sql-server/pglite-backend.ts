import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite, type Results } from "@electric-sql/pglite";
import {
  assertDatabaseName,
  type Backend,
  type BackendProvider,
  backendCache,
  type Field,
  type QueryResult,
  SESSION_SETTINGS,
  setRole,
  transactionModes,
} from "./backend.ts";

const identity = (value: string) => value;
const ANALYZE_EVERY_WRITES = 500;

function toResult(result: Results<unknown[]>, sql: string): QueryResult {
  const fields: Field[] = result.fields.map((f) => ({
    name: f.name,
    dataTypeID: f.dataTypeID,
    tableID: 0,
    columnID: 0,
    dataTypeSize: -1,
    dataTypeModifier: -1,
    format: "text",
  }));
  const command = (result as { command?: string }).command ?? sql.trim().split(/\s+/)[0]?.toUpperCase() ?? "";
  const rowCount = command === "SELECT" ? result.rows.length : (result.affectedRows ?? null);
  return { fields, rows: result.rows as (string | null)[][], command, rowCount: isDdl(command) ? null : rowCount };
}

function isDdl(command: string): boolean {
  return ["CREATE", "ALTER", "DROP", "SET", "BEGIN", "COMMIT", "ROLLBACK", "START", "DO", "COMMENT"].includes(command);
}

/**
 * PGlite is one session: its own mutex serialises queries, and batches run inside `transaction`.
 * `from` starts it as a copy of another database's files (`dumpDataDir`) instead of a new one.
 */
async function openPglite(
  dataDir: string | undefined,
  statementTimeoutMs: number,
  from?: Blob,
): Promise<Backend & { dump(): Promise<Blob> }> {
  const db = await (from ? PGlite.create({ loadDataDir: from }) : PGlite.create(dataDir));
  for (const [name, value] of Object.entries(SESSION_SETTINGS)) await db.exec(`SET ${name} = '${value}'`);
  await db.exec(`SET statement_timeout = ${Math.floor(statementTimeoutMs)}`);
  // Identity parsers and serializers for every type: rows stay raw Postgres text, as Neon sends them.
  const { rows } = await db.query<{ oid: number }>("SELECT oid::int AS oid FROM pg_type");
  const all = Object.fromEntries(rows.map((r) => [r.oid, identity]));
  const options = { rowMode: "array" as const, parsers: all, serializers: all };

  // PGlite runs no autovacuum, so its planner would never learn how big the tables grew (and
  // would pick sorts over index scans). Refresh the statistics after every so many writes.
  let writes = 0;
  const noteWrites = (results: QueryResult[]) => {
    writes += results.filter((r) => ["INSERT", "UPDATE", "DELETE"].includes(r.command)).length;
    if (writes < ANALYZE_EVERY_WRITES) return;
    writes = 0;
    db.exec("ANALYZE").catch(() => undefined);
  };

  const backend: Backend & { dump(): Promise<Blob> } = {
    dump: () => db.dumpDataDir("none"),
    async query(statement, role) {
      if (role) return (await backend.batch([statement], {}, role))[0] as QueryResult;
      const result = toResult(await db.query<unknown[]>(statement.query, statement.params, options), statement.query);
      noteWrites([result]);
      return result;
    },
    batch(statements, txOptions, role) {
      return db.transaction(async (tx) => {
        const modes = transactionModes(txOptions);
        if (modes) await tx.exec(`SET TRANSACTION ${modes}`);
        if (role) await tx.exec(setRole(role));
        const results: QueryResult[] = [];
        for (const { query, params } of statements) {
          results.push(toResult(await tx.query<unknown[]>(query, params, options), query));
        }
        noteWrites(results);
        return results;
      });
    },
    close: () => db.close(),
  };
  return backend;
}

export interface PgliteProviderOptions {
  /** A folder to keep data in (one subfolder per database); in memory when absent. */
  dataDir?: string;
  statementTimeoutMs?: number;
  /** Runs once for each database when it is first opened (e.g. migrations). */
  onCreate?: (database: string, backend: Backend) => Promise<void>;
}

export function pgliteProvider({
  dataDir,
  statementTimeoutMs = 30_000,
  onCreate,
}: PgliteProviderOptions = {}): BackendProvider {
  // In memory, every database after the first starts as a copy of the first one as created (its files,
  // dumped once): no initdb and no migrations again, a fraction of the time a test waits for one.
  let template: Promise<Blob> | undefined;
  const created = async (database: string) => {
    const backend = await openPglite(undefined, statementTimeoutMs);
    await onCreate?.(database, backend);
    return backend;
  };
  const backends = backendCache(async (database) => {
    const dir = dataDir ? join(dataDir, assertDatabaseName(database)) : undefined;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const backend = await openPglite(dir, statementTimeoutMs);
      await onCreate?.(database, backend);
      return backend;
    }
    if (template) return openPglite(undefined, statementTimeoutMs, await template);
    const first = created(database);
    template = first.then((backend) => backend.dump());
    // A failed first creation leaves no template: the next database is created from scratch.
    template.catch(() => {
      template = undefined;
    });
    await template;
    return first;
  });
  return { kind: "pglite", get: backends.get, release: backends.release, close: backends.closeAll };
}
