import pg from "pg";
import {
  assertDatabaseName,
  type Backend,
  type BackendProvider,
  backendCache,
  fromCommandTag,
  type QueryResult,
  SESSION_SETTINGS,
  type Statement,
  setRole,
  transactionModes,
} from "./backend.ts";

const raw = { getTypeParser: () => (value: string) => value };

async function run(client: pg.Pool | pg.PoolClient, { query, params }: Statement): Promise<QueryResult> {
  const result = await client.query({
    text: query,
    values: params,
    rowMode: "array",
    types: raw,
    // Extended protocol even without params: a multi-statement string fails as on Neon.
    queryMode: "extended",
  } as pg.QueryArrayConfig & { queryMode: "extended" });
  const { command, rowCount } = fromCommandTag(
    `${result.command}${result.rowCount === null ? "" : ` ${result.rowCount}`}`,
  );
  return {
    fields: result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: "text",
    })),
    rows: result.rows as (string | null)[][],
    command,
    rowCount,
  };
}

function pgBackend(pool: pg.Pool): Backend {
  const backend: Backend = {
    query: (statement, role) =>
      role ? backend.batch([statement], {}, role).then(([result]) => result as QueryResult) : run(pool, statement),
    async batch(statements, options, role) {
      const client = await pool.connect();
      try {
        const modes = transactionModes(options);
        await client.query(`START TRANSACTION${modes ? ` ${modes}` : ""}`);
        try {
          if (role) await client.query(setRole(role));
          const results: QueryResult[] = [];
          for (const statement of statements) results.push(await run(client, statement));
          await client.query("COMMIT");
          return results;
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw err;
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  return backend;
}

export interface PgProviderOptions {
  /** Where to connect; the database in each request's connection string replaces this URL's. */
  url: string;
  statementTimeoutMs?: number;
  /** Create a database that does not exist yet (tests ask for a fresh one per file). */
  createDatabases?: boolean;
  /** Drop the databases this provider created when it closes (test runs leave nothing behind). */
  dropCreatedOnClose?: boolean;
  onCreate?: (database: string, backend: Backend) => Promise<void>;
}

export function pgProvider({
  url,
  statementTimeoutMs = 30_000,
  createDatabases = false,
  dropCreatedOnClose = false,
  onCreate,
}: PgProviderOptions): BackendProvider {
  const created = new Set<string>();
  const options = [
    ...Object.entries(SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v}`),
    `-c statement_timeout=${Math.floor(statementTimeoutMs)}`,
  ].join(" ");
  const urlFor = (database: string) => {
    const u = new URL(url);
    u.pathname = `/${database}`;
    return u.toString();
  };

  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  const ensureDatabase = (database: string) =>
    admin(async (client) => {
      const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      if (!rowCount) {
        await client.query(`CREATE DATABASE "${assertDatabaseName(database)}"`);
        created.add(database);
      }
    });

  const backends = backendCache(async (database) => {
    if (createDatabases) await ensureDatabase(database);
    const pool = new pg.Pool({ connectionString: urlFor(database), options, max: 10 });
    // An idle client's error (server restart) must not crash the dev server.
    pool.on("error", () => undefined);
    const backend = pgBackend(pool);
    await onCreate?.(database, backend);
    return backend;
  });

  const drop = (client: pg.Client, database: string) =>
    client.query(`DROP DATABASE IF EXISTS "${assertDatabaseName(database)}" WITH (FORCE)`);

  return {
    kind: "postgres",
    get: backends.get,
    async release(database) {
      await backends.release(database);
      if (dropCreatedOnClose && created.delete(database)) await admin((client) => drop(client, database));
    },
    async close() {
      await backends.closeAll();
      if (dropCreatedOnClose && created.size > 0) {
        await admin(async (client) => {
          for (const database of created) await drop(client, database);
        });
      }
    },
  };
}
