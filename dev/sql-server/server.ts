import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLoopbackServer } from "../loopback-server.ts";
import {
  assertDatabaseName,
  type BackendProvider,
  type IsolationLevel,
  type QueryResult,
  type Statement,
  type TransactionOptions,
  WORKER_ROLE,
} from "./backend.ts";

/** Faults for tests: applied to the next `times` SQL requests (all of them when absent). */
export interface Faults {
  latencyMs?: number;
  /** Answer with this HTTP status (e.g. 503) instead of running the query. */
  status?: number;
  /** Destroy the connection without answering (the statement never runs). */
  drop?: boolean;
  /** Run the statement and commit it, then destroy the connection before answering: a lost answer. */
  commitThenDrop?: boolean;
  times?: number;
  /** Only requests for this database (from the connection string); all when absent. */
  database?: string;
}

export interface Stats {
  /** HTTP requests to /sql: what a worker pays in network round trips. */
  roundTrips: number;
  /** Statements executed, batches counted per statement. */
  queries: number;
  byDatabase: Record<string, { roundTrips: number; queries: number }>;
}

const MAX_BODY = 10 * 1024 * 1024;
const ISOLATION_LEVELS: IsolationLevel[] = ["ReadUncommitted", "ReadCommitted", "RepeatableRead", "Serializable"];

const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** Neon's error body: every field present, null where absent, position/line as strings. */
function errorBody(err: unknown): Record<string, string | null> {
  const source = (err ?? {}) as Record<string, unknown>;
  const body: Record<string, string | null> = { message: err instanceof Error ? err.message : String(err) };
  for (const key of ERROR_FIELDS) {
    const value = source[key];
    body[key] = value === undefined || value === null ? null : String(value);
  }
  return body;
}

class BadRequest extends Error {}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error("request body too large"), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseStatement(value: unknown): Statement {
  const v = value as { query?: unknown; params?: unknown };
  if (typeof v?.query !== "string") throw new BadRequest("query must be a string");
  const params = v.params ?? [];
  if (!Array.isArray(params) || !params.every((p) => p === null || typeof p === "string")) {
    throw new BadRequest("params must be an array of strings or nulls");
  }
  return { query: v.query, params };
}

function transactionOptions(req: IncomingMessage): TransactionOptions {
  const options: TransactionOptions = {};
  const level = req.headers["neon-batch-isolation-level"];
  if (typeof level === "string") {
    if (!ISOLATION_LEVELS.includes(level as IsolationLevel)) throw new BadRequest(`invalid isolation level ${level}`);
    options.isolationLevel = level as IsolationLevel;
  }
  if (req.headers["neon-batch-read-only"] === "true") options.readOnly = true;
  if (req.headers["neon-batch-deferrable"] === "true") options.deferrable = true;
  return options;
}

function connectionOf(req: IncomingMessage): URL {
  const header = req.headers["neon-connection-string"];
  if (typeof header !== "string") throw new BadRequest("missing Neon-Connection-String");
  try {
    return new URL(header);
  } catch {
    throw new BadRequest("invalid Neon-Connection-String");
  }
}

function databaseOf(req: IncomingMessage): string {
  return decodeURIComponent(connectionOf(req).pathname.replace(/^\//, "")) || "postgres";
}

/** The worker's role when the connection string logs in as it; the backend's own user otherwise. */
function roleOf(req: IncomingMessage): string | undefined {
  return decodeURIComponent(connectionOf(req).username) === WORKER_ROLE ? WORKER_ROLE : undefined;
}

export interface SqlServerOptions {
  provider: BackendProvider;
  port?: number;
  host?: string;
  /** How a latency fault waits; tests replace it to see the wait without spending it. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface SqlServer {
  readonly url: string;
  readonly port: number;
  stats(): Stats;
  resetStats(): void;
  setFaults(faults: Faults | null): void;
  close(): Promise<void>;
}

/**
 * A local server that speaks Neon's SQL-over-HTTP protocol (docs/local-development.md, "The protocol the local SQL server speaks"),
 * so `@neondatabase/serverless` and drizzle's neon-http run unchanged against PGlite or Postgres.
 * Control endpoints (`/_control/stats`, `/_control/faults`, `DELETE /_control/databases/:name`)
 * serve tests and the benchmark.
 */
export async function startSqlServer({
  provider,
  port = 0,
  host = "127.0.0.1",
  sleep = realSleep,
}: SqlServerOptions): Promise<SqlServer> {
  if (!LOOPBACK_HOSTS.has(host.includes(":") ? `[${host}]` : host) && host !== "::1") {
    throw new Error(`the local SQL server listens on loopback only, not ${host}`);
  }
  let stats: Stats = { roundTrips: 0, queries: 0, byDatabase: {} };
  let faults: Faults | null = null;

  const count = (database: string, queries: number) => {
    stats.roundTrips++;
    stats.queries += queries;
    const entry = stats.byDatabase[database] ?? { roundTrips: 0, queries: 0 };
    stats.byDatabase[database] = entry;
    entry.roundTrips++;
    entry.queries += queries;
  };

  const takeFault = (database: string): Faults | null => {
    if (!faults || (faults.database !== undefined && faults.database !== database)) return null;
    const current = faults;
    if (current.times !== undefined) {
      current.times--;
      if (current.times <= 0) faults = null;
    }
    return current;
  };

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const database = databaseOf(req);
    const fault = takeFault(database);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      send(res, fault.status, { message: `injected fault: HTTP ${fault.status}` });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      if ((err as { status?: number }).status === 413) throw err;
      throw new BadRequest("body is not valid JSON");
    }
    const backend = await provider.get(database);
    const batch = (body as { queries?: unknown }).queries;
    if (batch !== undefined) {
      if (!Array.isArray(batch)) throw new BadRequest("queries must be an array");
      const statements = batch.map(parseStatement);
      const options = transactionOptions(req);
      count(database, statements.length);
      const results = await backend.batch(statements, options, roleOf(req));
      if (fault?.commitThenDrop) return void req.socket.destroy();
      send(res, 200, { results: results.map(neonResult) });
      return;
    }
    const statement = parseStatement(body);
    count(database, 1);
    const result = await backend.query(statement, roleOf(req));
    if (fault?.commitThenDrop) return void req.socket.destroy();
    send(res, 200, neonResult(result));
  }

  const server: Server = createLoopbackServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const handle = async () => {
      const refusal = browserRefusal(req, actualPort);
      if (refusal) return send(res, 403, { message: refusal });
      if (req.method === "POST" && path === "/sql") return handleSql(req, res);
      if (req.method === "GET" && path === "/_control/stats") return send(res, 200, stats);
      if (path.startsWith("/_control/") && req.method === "POST" && !isJson(req)) {
        return send(res, 415, { message: "control requests need Content-Type: application/json" });
      }
      if (req.method === "POST" && path === "/_control/stats/reset") {
        stats = { roundTrips: 0, queries: 0, byDatabase: {} };
        return send(res, 200, stats);
      }
      if (req.method === "POST" && path === "/_control/faults") {
        const text = await readBody(req);
        faults = text.trim() ? (JSON.parse(text) as Faults) : null;
        return send(res, 200, { faults });
      }
      if (req.method === "DELETE" && path === "/_control/faults") {
        faults = null;
        return send(res, 200, { faults });
      }
      if (req.method === "GET" && path === "/_control/health") return send(res, 200, { backend: provider.kind });
      const released = /^\/_control\/databases\/([^/]+)$/.exec(path)?.[1];
      if (req.method === "DELETE" && released !== undefined) {
        await provider.release(assertDatabaseName(released));
        return send(res, 200, { released });
      }
      send(res, 400, { message: `unsupported ${req.method} ${path}` });
    };
    handle().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const status = (err as { status?: number }).status;
      // Postgres and request errors are 400 (the only status whose body the driver reads).
      send(res, status === 413 ? 413 : 400, errorBody(err));
    });
  });

  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  let actualPort = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  actualPort = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${actualPort}/sql`,
    port: actualPort,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = { roundTrips: 0, queries: 0, byDatabase: {} };
    },
    setFaults: (f) => {
      faults = f;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await provider.close();
    },
  };
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * This server runs any SQL without authentication, so it must not be reachable from a web page:
 * it listens on loopback only, sends no CORS headers, and refuses what only a browser sends — an
 * `Origin` (any cross-site fetch or form post carries one), or a `Host` other than loopback (DNS
 * rebinding). The Neon driver and the tests send neither.
 */
function browserRefusal(req: IncomingMessage, port: number): string | undefined {
  if (req.headers.origin !== undefined) return "requests from web pages are refused";
  const host = req.headers.host ?? "";
  const [name] = host.startsWith("[") ? [host.slice(0, host.indexOf("]") + 1)] : host.split(":");
  if (!LOOPBACK_HOSTS.has(name ?? "") || (host.includes(":") && !host.endsWith(`:${port}`))) {
    return "only loopback hosts are served";
  }
  return undefined;
}

const isJson = (req: IncomingMessage) => /^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "");

function neonResult(result: QueryResult) {
  return { rowAsArray: true, ...result };
}
