import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { pgConnection } from "../../../scripts/migrations/connections.ts";
import type { MigrationConnection, SqlStatement } from "../../../scripts/migrations/migrator.ts";
import {
  isRoleRace,
  newPassword,
  provisionWorkerRole,
  setWorkerTimeouts,
} from "../../../scripts/migrations/worker-role.ts";

/**
 * Roles are the cluster's: two runners changing the worker's role at once (two releases on one Neon branch,
 * or this repository's tests on one PostgreSQL) collide in the shared catalogs, and the change that lost is
 * made again. With fakes that refuse as PostgreSQL does, and on PostgreSQL (TEST_DATABASE_URL) with runners
 * at once on a role of this file's own.
 */
const postgresUrl = process.env.TEST_DATABASE_URL;
const ROLE = `ot_races_${process.pid}`;
const RUNNERS = 4;

/** An error as `pg` and Neon's driver give PostgreSQL's: its message and SQLSTATE. */
const postgresError = (code: string, message: string) => Object.assign(new Error(message), { code });
const concurrentlyUpdated = () => postgresError("XX000", "tuple concurrently updated");

/** A connection whose transactions fail with `refusals`, one each, then succeed; it records what it was sent. */
function refusing(refusals: Error[], roleExists: () => boolean = () => true) {
  const sent: SqlStatement[][] = [];
  const connection: MigrationConnection = {
    async transaction(statements) {
      sent.push(statements);
      const refusal = refusals.shift();
      if (refusal) throw refusal;
    },
    async scalar() {
      return roleExists() ? JSON.stringify({ superuser: false, member_of: [] }) : undefined;
    },
  };
  return { connection, sent };
}

/** Resolves `work` with its waits between tries run at once on the fake clock. */
async function onFakeClock<T>(work: Promise<T>): Promise<T> {
  const settled = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const outcome = await settled;
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

describe("a change to the worker's role that lost a race", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is made again: the timeouts, after PostgreSQL's 'tuple concurrently updated' and a unique violation", async () => {
    const { connection, sent } = refusing([concurrentlyUpdated(), postgresError("23505", "duplicate key value")]);
    await onFakeClock(setWorkerTimeouts(connection, 5000));
    expect(sent).toHaveLength(3);
    expect(sent[2]?.map((s) => s.query)).toEqual([
      "ALTER ROLE order_service_app SET statement_timeout = '5000ms'",
      "ALTER ROLE order_service_app SET lock_timeout = '5000ms'",
    ]);
  });

  it("is made again whole: a CREATE that lost to another runner's is then an ALTER", async () => {
    const lost = postgresError("42710", 'role "order_service_app" already exists');
    // The other runner's CREATE committed as this one's was refused: from then on the role exists.
    const { connection, sent } = refusing([lost], () => sent.length > 0);
    expect(await onFakeClock(provisionWorkerRole(connection, newPassword()))).toBe("updated");
    expect(sent.map((statements) => statements[0]?.query.split(" ")[0])).toEqual(["CREATE", "ALTER"]);
  });

  it("is not made again for any other refusal, nor more than eight times", async () => {
    const denied = refusing([postgresError("42501", "permission denied to alter role")]);
    await expect(onFakeClock(setWorkerTimeouts(denied.connection, 5000))).rejects.toThrow("permission denied");
    expect(denied.sent).toHaveLength(1);

    const unlucky = refusing(Array.from({ length: 9 }, concurrentlyUpdated));
    await expect(onFakeClock(setWorkerTimeouts(unlucky.connection, 5000))).rejects.toThrow(
      "tuple concurrently updated",
    );
    expect(unlucky.sent).toHaveLength(8);

    const other = refusing([postgresError("XX000", "could not read block")]);
    await expect(onFakeClock(provisionWorkerRole(other.connection, newPassword()))).rejects.toThrow(
      "could not read block",
    );
    expect(other.sent).toHaveLength(1);
  });

  it("tells a race from an error that is not one", () => {
    expect(isRoleRace(concurrentlyUpdated())).toBe(true);
    expect(isRoleRace(postgresError("XX000", "cache lookup failed"))).toBe(false);
    expect(isRoleRace(new Error("tuple concurrently updated"))).toBe(false);
    expect(isRoleRace("23505")).toBe(false);
  });
});

describe.runIf(postgresUrl)("on PostgreSQL, runners at once", () => {
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    for (let i = 0; i < RUNNERS; i++) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      clients.push(client);
    }
    await clients[0]?.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await clients[0]?.query(`CREATE ROLE ${ROLE} NOLOGIN`);
  });
  afterAll(async () => {
    await clients[0]?.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await Promise.all(clients.map((client) => client.end()));
  });

  it("all set the role's timeouts, and the role has the last", async () => {
    // Each runner sets them a few times, so that the runners overlap in the catalog, as they did here.
    const runs = clients.map(async (client, i) => {
      for (let round = 0; round < 4; round++) await setWorkerTimeouts(pgConnection(client), 1000 + i, ROLE);
    });
    const outcomes = await Promise.allSettled(runs);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    const { rows } = await (clients[0] as pg.Client).query(
      "SELECT unnest(setconfig) AS setting FROM pg_db_role_setting WHERE setrole = $1::regrole",
      [ROLE],
    );
    const settings = rows.map((r: { setting: string }) => r.setting).sort();
    expect(settings).toHaveLength(2);
    expect(settings[0]).toMatch(/^lock_timeout=10\d\dms$/);
    expect(settings[1]).toMatch(/^statement_timeout=10\d\dms$/);
  });
});
