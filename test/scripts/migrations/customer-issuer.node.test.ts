import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlServer } from "../../../dev/sql-server/server.ts";
import { httpConnection } from "../../../scripts/migrations/connections.ts";
import { runMigrations, type TokenIssuers } from "../../../scripts/migrations/migrator.ts";
import { migrationsUpTo } from "../../support/node/migrations-up-to.ts";
import { startTestSqlServer } from "../../support/node/sql-server.ts";

/**
 * The move to issuer-scoped customers (0016, then its contract step 0017) on the real migrations, as a
 * deployment of each kind lives through it: a database at 0015 holding orders, keys and events of the
 * versions before, the release that ships 0016 while the version before it still writes, then the
 * release after it. On PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
 */
let server: SqlServer;

beforeAll(async () => {
  server = await startTestSqlServer();
});
afterAll(() => server.close());

const ISSUER = "https://tenant.idp.example/";
const OURS = "11111111-1111-4111-8111-111111111111";
/** A provider's UUID subject, which the versions before 0016 kept in lower case like ours. */
const THEIRS = "22222222-2222-4222-8222-222222222222";
const CAROL = "auth0|carol";
const DAVE = "auth0|dave";

const modes: [string, TokenIssuers | undefined, Record<string, string>][] = [
  ["this service's tokens only (no settings)", undefined, { [OURS]: "", [THEIRS]: "", [CAROL]: "", [DAVE]: "" }],
  [
    "a provider's tokens only",
    { ownTokens: false, provider: ISSUER },
    { [OURS]: ISSUER, [THEIRS]: ISSUER, [CAROL]: ISSUER, [DAVE]: ISSUER },
  ],
  ["both kinds", { ownTokens: true, provider: ISSUER }, { [OURS]: "", [THEIRS]: "", [CAROL]: ISSUER, [DAVE]: ISSUER }],
];

describe("the customer issuer's expand and contract steps", () => {
  it.each(modes)("give every row its issuer in a deployment taking %s", async (label, issuers, expected) => {
    const url = `postgres://owner:pw@localhost/ot_issuer_${label.replace(/[^a-z]/g, "").slice(0, 16)}_${process.pid}`;
    const connect = () => httpConnection(url, server.url);
    const run = async (statement: string, params: string[] = []) => connect().scalar({ query: statement, params });
    /** An order with its key and event, as the versions before 0016 write them: no issuer. */
    const written = async (subject: string) => {
      const id = crypto.randomUUID();
      await run("INSERT INTO orders (id, customer_subject, currency, total, item_count) VALUES ($1, $2, 'USD', 1, 1)", [
        id,
        subject,
      ]);
      await run(
        "INSERT INTO idempotency_keys (customer_subject, key, request_hash, order_id, expires_at) VALUES ($1, 'k', 'h', $2, now() + interval '1 day')",
        [subject, id],
      );
      await run(
        "INSERT INTO order_events (id, type, order_id, customer_subject, order_version, status, created_at) VALUES ($1, 'order.created', $2, $3, 1, 'pending', now())",
        [crypto.randomUUID(), id, subject],
      );
    };
    const issuersByTable = async () => {
      const found: Record<string, Record<string, string>> = {};
      for (const table of ["orders", "idempotency_keys", "order_events"]) {
        const rows = await run(
          `SELECT json_object_agg(customer_subject, customer_issuer)::text FROM (SELECT DISTINCT customer_subject, customer_issuer FROM ${table}) t`,
        );
        found[table] = JSON.parse(String(rows)) as Record<string, string>;
      }
      return found;
    };

    await runMigrations(connect(), migrationsUpTo("0015_webhook_previous_secrets"));
    for (const subject of [OURS, THEIRS, CAROL]) await written(subject);

    // The release that ships 0016: the contract step waits while the version before it serves.
    const upTo0017 = migrationsUpTo("0017_customer_issuer_contract");
    const release = await runMigrations(connect(), upTo0017, { issuers });
    expect(release.applied).toEqual(["0016_customer_issuer"]);
    expect(release.deferred).toEqual(["0017_customer_issuer_contract"]);
    // That version, still serving during the rollout, writes no issuer and keys records by subject alone.
    await written(DAVE);

    const next = await runMigrations(connect(), upTo0017, { issuers });
    expect(next.applied).toEqual(["0017_customer_issuer_contract"]);
    const all = await issuersByTable();
    for (const table of Object.keys(all)) expect(all[table]).toEqual(expected);

    // From 0017 on the issuer is the caller's to write, and keys are scoped to it.
    await expect(written("auth0|erin")).rejects.toThrow(/customer_issuer/);
    const order = crypto.randomUUID();
    await run(
      "INSERT INTO orders (id, customer_subject, customer_issuer, currency, total, item_count) VALUES ($1, $2, 'x', 'USD', 1, 1)",
      [order, OURS],
    );
    await run(
      "INSERT INTO idempotency_keys (customer_subject, customer_issuer, key, request_hash, order_id, expires_at) VALUES ($1, 'x', 'k', 'h', $2, now() + interval '1 day')",
      [OURS, order],
    );
    expect(
      await run(
        "SELECT string_agg(a.attname, ',' ORDER BY array_position(c.conkey, a.attnum)) FROM pg_constraint c " +
          "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) " +
          "WHERE c.conname = 'idempotency_keys_issuer_pkey' AND c.contype = 'p'",
      ),
    ).toBe("customer_issuer,customer_subject,key");
  });
});
