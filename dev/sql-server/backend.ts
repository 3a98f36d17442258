/** What the local SQL-over-HTTP server needs from a Postgres: raw text rows, one statement per query. */
export interface Field {
  name: string;
  dataTypeID: number;
  tableID: number;
  columnID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: "text";
}

export interface QueryResult {
  fields: Field[];
  rows: (string | null)[][];
  command: string;
  rowCount: number | null;
}

export interface Statement {
  query: string;
  params: (string | null)[];
}

export type IsolationLevel = "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface Backend {
  /** `role`: run as this role (SET LOCAL ROLE, in a transaction of its own), as the worker connects. */
  query(statement: Statement, role?: string): Promise<QueryResult>;
  /** Runs the statements in one transaction; on the first error rolls back and rejects with it. */
  batch(statements: Statement[], options: TransactionOptions, role?: string): Promise<QueryResult[]>;
  close(): Promise<void>;
}

/** A backend per database name: the database in the connection string picks one. */
export interface BackendProvider {
  readonly kind: "pglite" | "postgres";
  get(database: string): Promise<Backend>;
  /**
   * Done with this database: close its backend (an in-memory PGlite gives its memory back) and,
   * where the provider created it for a test run, drop it. Asking for it again is an error.
   */
  release(database: string): Promise<void>;
  close(): Promise<void>;
}

const SQL_ISOLATION: Record<IsolationLevel, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** `START TRANSACTION` modes in Postgres syntax, e.g. `ISOLATION LEVEL SERIALIZABLE, READ ONLY`. */
export function transactionModes({ isolationLevel, readOnly, deferrable }: TransactionOptions): string {
  const modes: string[] = [];
  if (isolationLevel) modes.push(`ISOLATION LEVEL ${SQL_ISOLATION[isolationLevel]}`);
  if (readOnly) modes.push("READ ONLY");
  if (deferrable) modes.push("DEFERRABLE");
  return modes.join(", ");
}

/** Derives Neon's `command`/`rowCount` from a command tag such as `INSERT 0 5` or `CREATE TABLE`. */
export function fromCommandTag(tag: string): { command: string; rowCount: number | null } {
  const parts = tag.trim().split(/\s+/);
  const last = parts.at(-1) ?? "";
  const command = parts[0] ?? "";
  return /^\d+$/.test(last) && parts.length > 1 ? { command, rowCount: Number(last) } : { command, rowCount: null };
}

/** Session settings Neon applies, so text output matches production. */
export const SESSION_SETTINGS: Record<string, string> = {
  DateStyle: "ISO",
  bytea_output: "hex",
  TimeZone: "UTC",
};

/**
 * The worker's database role: rows only, never the schema (docs/deploying.md, "Database roles"). The
 * server runs a request whose connection string names it as that role, as Neon would log it in.
 */
export { WORKER_ROLE } from "../../scripts/migrations/worker-role.ts";

/** `SET LOCAL ROLE` for a role name the server accepts (lower-case identifiers only). */
export function setRole(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`not a role name: ${role}`);
  return `SET LOCAL ROLE "${role}"`;
}

/** A database name that is safe to interpolate as an identifier. */
export function assertDatabaseName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name ${JSON.stringify(name)}`);
  return name;
}

/**
 * One backend per database name, opened on first use and shared after. A failed open is not
 * kept, so the next request tries again.
 */
export function backendCache(openBackend: (database: string) => Promise<Backend>) {
  const open = new Map<string, Promise<Backend>>();
  const released = new Set<string>();
  return {
    get(database: string): Promise<Backend> {
      if (released.has(database)) return Promise.reject(new Error(`database ${database} was released`));
      let backend = open.get(database);
      if (!backend) {
        backend = openBackend(database);
        backend.catch(() => open.delete(database));
        open.set(database, backend);
      }
      return backend;
    },
    async release(database: string): Promise<void> {
      released.add(database);
      const backend = open.get(database);
      open.delete(database);
      await backend?.then((b) => b.close()).catch(() => undefined);
    },
    async closeAll(): Promise<void> {
      const all = [...open.values()];
      open.clear();
      await Promise.allSettled(all.map(async (b) => (await b).close()));
    },
  };
}
