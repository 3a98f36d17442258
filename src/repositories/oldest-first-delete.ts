import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Database } from "./database";
import { runQuery } from "./database-errors";

/**
 * Deletes up to `limit` rows whose `column` is before `before`, oldest first through that column's
 * index, in one statement; `ctid` picks exactly the rows the subquery found. The purges' one shape.
 */
export async function deleteOldestBefore(
  db: Database,
  operation: string,
  { table, column, before, limit }: { table: PgTable; column: AnyPgColumn; before: Date; limit: number },
): Promise<number> {
  const query: SQL = sql`
    DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM ${table}
      WHERE ${column} < ${before.toISOString()}::timestamptz
      ORDER BY ${column}
      LIMIT ${limit}::integer))`;
  const result = await runQuery(operation, () => db.execute(query));
  return result.rowCount ?? 0;
}
