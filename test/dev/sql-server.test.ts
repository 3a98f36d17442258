import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendProvider } from "../../dev/sql-server/backend.ts";
import { createProvider } from "../../dev/sql-server/provider.ts";
import { type SqlServer, startSqlServer } from "../../dev/sql-server/server.ts";
import type { MigrationRun } from "../../scripts/migrations/migrator.ts";

/**
 * The local server against the real driver, on every backend this machine has: PGlite always,
 * PostgreSQL when TEST_DATABASE_URL is set. The same expectations hold for each, and the rows of
 * both are compared with each other.
 */
const backends = [
  { name: "pglite", databaseUrl: undefined },
  ...(process.env.TEST_DATABASE_URL ? [{ name: "postgres", databaseUrl: process.env.TEST_DATABASE_URL }] : []),
];

const servers = new Map<string, SqlServer>();
/** Latency faults wait through this: the test sees each wait in order and spends none of it. */
const waits: number[] = [];
const recordedSleep = async (ms: number) => {
  waits.push(ms);
};
// The driver's endpoint is global; route by the connection string's host instead.
neonConfig.fetchEndpoint = (host) => {
  const server = servers.get(host.replace(/\.local$/, ""));
  if (!server) throw new Error(`no server for ${host}`);
  return server.url;
};

const database = `ot_conformance_${process.pid}`;
const connect = (backend: string) => neon(`postgres://user:pw@${backend}.local/${database}`);

beforeAll(async () => {
  for (const b of backends) {
    const provider: BackendProvider = createProvider({
      databaseUrl: b.databaseUrl,
      createDatabases: true,
      dropCreatedOnClose: true,
    });
    servers.set(b.name, await startSqlServer({ provider, sleep: recordedSleep }));
  }
});

afterAll(async () => {
  for (const server of servers.values()) await server.close();
});

const TYPES_QUERY = `SELECT
  '6f1f7c56-3b0a-4b9b-9a51-2f8e7c1d0a11'::uuid AS u,
  9007199254740993::bigint AS big,
  12345.678::numeric(10,3) AS num,
  '2026-11-25 12:00:00.123+00'::timestamptz AS ts,
  '{"a": [1, "x", null], "b": {"c": true}}'::jsonb AS j,
  ARRAY[1, 2, 3]::int[] AS ints,
  ARRAY['a', 'b,c', NULL]::text[] AS texts,
  NULL::text AS nothing,
  '\\x00ff10'::bytea AS bytes,
  true AS yes,
  '2026-02-28'::date AS day,
  $1::text AS param_text,
  $2::int AS param_int,
  $3::text AS param_null`;

const rowsByBackend = new Map<string, unknown>();

describe.each(backends)("on $name", ({ name }) => {
  const server = () => servers.get(name) as SqlServer;
  const sql = () => connect(name);

  it("returns every type as the driver parses it from Neon", async () => {
    const rows = await sql().query(TYPES_QUERY, ['it\'s "quoted" ✓', 42, null]);
    rowsByBackend.set(name, rows);
    expect(rows).toEqual([
      {
        u: "6f1f7c56-3b0a-4b9b-9a51-2f8e7c1d0a11",
        big: "9007199254740993",
        num: "12345.678",
        ts: new Date("2026-11-25T12:00:00.123Z"),
        j: { a: [1, "x", null], b: { c: true } },
        ints: [1, 2, 3],
        texts: ["a", "b,c", null],
        nothing: null,
        bytes: Buffer.from([0x00, 0xff, 0x10]),
        yes: true,
        day: expect.anything(),
        param_text: 'it\'s "quoted" ✓',
        param_int: 42,
        param_null: null,
      },
    ]);
  });

  it("answers the raw protocol as Neon does: arrays of text, fields, command and rowCount", async () => {
    const res = await fetch(server().url, {
      method: "POST",
      headers: { "Neon-Connection-String": `postgres://u@h/${database}`, "Neon-Array-Mode": "true" },
      body: JSON.stringify({ query: "SELECT 1::int AS a, NULL::text AS b UNION ALL SELECT 2, 'x'", params: [] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      rowAsArray: true,
      rows: [
        ["1", null],
        ["2", "x"],
      ],
      command: "SELECT",
      rowCount: 2,
    });
    expect(
      (body.fields as { name: string; dataTypeID: number; format: string }[]).map((f) => [
        f.name,
        f.dataTypeID,
        f.format,
      ]),
    ).toEqual([
      ["a", 23, "text"],
      ["b", 25, "text"],
    ]);
  });

  it("reports commands and DDL like Neon", async () => {
    const s = sql();
    await s.query("DROP TABLE IF EXISTS conformance_t");
    const ddl = await s.query("CREATE TABLE conformance_t (id int PRIMARY KEY, v text CHECK (v <> 'bad'))", [], {
      fullResults: true,
    });
    expect(ddl).toMatchObject({ command: "CREATE", rowCount: null, fields: [] });
    const ins = await s.query("INSERT INTO conformance_t VALUES (1, 'a'), (2, 'b')", [], { fullResults: true });
    expect(ins).toMatchObject({ command: "INSERT", rowCount: 2 });
  });

  it("passes Postgres errors through with SQLSTATE, detail, constraint and a 400", async () => {
    const s = sql();
    const dup = await s.query("INSERT INTO conformance_t VALUES (1, 'again')").catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: "23505", constraint: "conformance_t_pkey", table: "conformance_t" });
    expect(String((dup as { detail?: string }).detail)).toContain("(id)=(1)");
    const check = await s.query("INSERT INTO conformance_t VALUES (3, 'bad')").catch((e: unknown) => e);
    expect(check).toMatchObject({ code: "23514", constraint: "conformance_t_v_check" });
    const syntax = await s.query("SELEC 1").catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: "42601", position: "1" });

    const res = await fetch(server().url, {
      method: "POST",
      headers: { "Neon-Connection-String": `postgres://u@h/${database}` },
      body: JSON.stringify({ query: "SELECT 1/0", params: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: "22012",
      message: "division by zero",
      severity: "ERROR",
      hint: null,
    });
  });

  it("refuses a multi-statement string as Neon does", async () => {
    await expect(sql().query("SELECT 1; SELECT 2")).rejects.toMatchObject({ code: "42601" });
  });

  it("runs a batch in one transaction and one round trip", async () => {
    const s = sql();
    server().resetStats();
    const [a, b, c] = await s.transaction([
      s`INSERT INTO conformance_t VALUES (10, 'x') RETURNING id`,
      s`UPDATE conformance_t SET v = 'y' WHERE id = 10 RETURNING v`,
      s`SELECT count(*)::int AS n FROM conformance_t WHERE id = 10`,
    ]);
    expect([a, b, c]).toEqual([[{ id: 10 }], [{ v: "y" }], [{ n: 1 }]]);
    expect(server().stats()).toMatchObject({ roundTrips: 1, queries: 3 });
  });

  it("rolls a batch back when a later statement fails", async () => {
    const s = sql();
    const err = await s
      .transaction([s`INSERT INTO conformance_t VALUES (20, 'kept?')`, s`INSERT INTO conformance_t VALUES (1, 'dup')`])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "23505" });
    expect(await s`SELECT count(*)::int AS n FROM conformance_t WHERE id = 20`).toEqual([{ n: 0 }]);
  });

  it("honours the isolation level and read-only flags of a batch", async () => {
    const s = sql();
    const [[level]] = (await s.transaction([s`SHOW transaction_isolation`], { isolationLevel: "Serializable" })) as [
      [{ transaction_isolation: string }],
    ];
    expect(level?.transaction_isolation).toBe("serializable");
    await expect(
      s.transaction([s`INSERT INTO conformance_t VALUES (30, 'ro')`], { readOnly: true }),
    ).rejects.toMatchObject({ code: "25006" });
  });

  it("rejects what is not the protocol with 400", async () => {
    const url = server().url;
    const headers = { "Neon-Connection-String": `postgres://u@h/${database}` };
    expect((await fetch(url, { method: "GET" })).status).toBe(400);
    expect((await fetch(url.replace("/sql", "/other"), { method: "POST", headers, body: "{}" })).status).toBe(400);
    expect((await fetch(url, { method: "POST", headers, body: "not json" })).status).toBe(400);
    expect((await fetch(url, { method: "POST", body: JSON.stringify({ query: "SELECT 1" }) })).status).toBe(400);
    const badLevel = await fetch(url, {
      method: "POST",
      headers: { ...headers, "Neon-Batch-Isolation-Level": "Chaos" },
      body: JSON.stringify({ queries: [{ query: "SELECT 1" }] }),
    });
    expect(badLevel.status).toBe(400);
  });

  it("is not reachable from web pages: no CORS, no Origin, no foreign Host, JSON-only control", async () => {
    const url = server().url;
    const headers = { "Neon-Connection-String": `postgres://u@h/${database}` };
    const body = JSON.stringify({ query: "SELECT 1" });
    const preflight = await fetch(url, { method: "OPTIONS", headers: { Origin: "https://evil.example" } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const fromPage = await fetch(url, {
      method: "POST",
      headers: { ...headers, Origin: "https://evil.example" },
      body,
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get("access-control-allow-origin")).toBeNull();
    // fetch will not send another Host; node:http will, as a rebound DNS name would.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { ...headers, Host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(rebound).toBe(403);
    const control = url.replace("/sql", "/_control/faults");
    const crossSite = await fetch(control, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "{}" });
    expect(crossSite.status).toBe(415);
    expect((await fetch(url, { method: "POST", headers, body })).status).toBe(200);
  });

  it("refuses to listen anywhere but loopback", async () => {
    await expect(startSqlServer({ provider: createProvider({}), host: "0.0.0.0" })).rejects.toThrow("loopback");
  });

  it("injects latency, HTTP errors and dropped connections, then recovers", async () => {
    const s = sql();
    waits.length = 0;
    server().setFaults({ latencyMs: 300, times: 1 });
    expect(await s`SELECT 2 AS n`).toEqual([{ n: 2 }]);
    await s`SELECT 1`;
    expect(waits).toEqual([300]);

    server().setFaults({ status: 503, times: 1 });
    await expect(s`SELECT 1`).rejects.toThrow(/HTTP status 503/);

    server().setFaults({ drop: true, times: 1 });
    await expect(s`SELECT 1`).rejects.toThrow(/Error connecting to database/);

    expect(await s`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
  });

  it("commits, then loses the answer, with commitThenDrop", async () => {
    const s = sql();
    await s`CREATE TABLE IF NOT EXISTS lost_answers (n int)`;
    server().setFaults({ commitThenDrop: true, times: 1 });
    await expect(s`INSERT INTO lost_answers VALUES (7)`).rejects.toThrow(/Error connecting to database/);
    server().setFaults({ commitThenDrop: true, times: 1 });
    await expect(s.transaction([s`INSERT INTO lost_answers VALUES (8)`, s`SELECT 1`])).rejects.toThrow(
      /Error connecting to database/,
    );
    expect(await s`SELECT n FROM lost_answers ORDER BY n`).toEqual([{ n: 7 }, { n: 8 }]);
  });

  it("releases a database on DELETE /_control/databases/:name: gone, and refused from then on", async () => {
    const released = `ot_released_${process.pid}`;
    const s = neon(`postgres://user:pw@${name}.local/${released}`);
    await s`CREATE TABLE kept (n int)`;
    const control = (db: string) => server().url.replace("/sql", `/_control/databases/${db}`);
    const res = await fetch(control(released), { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ released });
    await expect(s`SELECT 1`).rejects.toThrow(/was released/);
    expect((await fetch(control("bad-name"), { method: "DELETE" })).status).toBe(400);
  });
});

describe("PGlite statistics", () => {
  it("are refreshed after many writes, since PGlite runs no autovacuum", async () => {
    const s = connect("pglite");
    await s.query("CREATE TABLE stats_probe (id int)");
    const before = await s.query("SELECT reltuples::int AS n FROM pg_class WHERE relname = 'stats_probe'");
    expect(before).toEqual([{ n: -1 }]);
    for (let i = 0; i < 500; i++) await s.query("INSERT INTO stats_probe VALUES ($1)", [i]);
    // Writes count per database, earlier tests' included, so the refresh lands near, not at, 500 rows.
    const analyzed = async () =>
      ((await s.query("SELECT reltuples::int AS n FROM pg_class WHERE relname = 'stats_probe'")) as { n: number }[])[0]
        ?.n;
    await expect.poll(analyzed).toBeGreaterThan(400);
  });
});

describe("across backends", () => {
  it.runIf(backends.length > 1)("returns identical rows from PGlite and PostgreSQL", () => {
    expect(rowsByBackend.get("pglite")).toEqual(rowsByBackend.get("postgres"));
  });
});

describe("migrations on open", () => {
  it("tells what each open's run did: every migration on a new database, none on its next open", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ot-provider-"));
    const told: [string, MigrationRun][] = [];
    const open = async () => {
      const provider = createProvider({
        dataDir,
        migrationsFolder: "migrations",
        onMigrated: (database, run) => told.push([database, run]),
      });
      await provider.get("shop");
      await provider.close();
    };
    try {
      await open();
      await open();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    const tags = readdirSync("migrations")
      .filter((f) => f.endsWith(".sql"))
      .map((f) => f.replace(/\.sql$/, ""))
      .sort();
    expect(told.map(([database, run]) => [database, run.applied, run.deferred, run.after])).toEqual([
      ["shop", tags, [], tags.length],
      ["shop", [], [], tags.length],
    ]);
  });
});

describe("lifecycle", () => {
  it("stops listening and closes its backends on close()", async () => {
    const server = await startSqlServer({ provider: createProvider({}) });
    const s = neon(`postgres://u:p@closing.local/db`);
    servers.set("closing", server);
    expect(await s`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    await server.close();
    servers.delete("closing");
    await expect(fetch(server.url, { method: "OPTIONS" })).rejects.toThrow();
  });
});
