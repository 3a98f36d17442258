import type { ReadinessProbe } from "../services/readiness-probe";
import { createSqlClient, type DatabaseOptions } from "./database";
import { toDatabaseError } from "./database-errors";

/**
 * `SELECT 1` through the same driver, endpoint and metrics as every query, but around the circuit
 * breaker (readiness reports the breaker, never feeds it) and within the probe's own budget.
 */
export function createDatabaseProbe(options: Omit<DatabaseOptions, "breaker">): ReadinessProbe {
  return {
    async check(budgetMs) {
      const sql = createSqlClient({ ...options, timeoutMs: Math.min(budgetMs, options.timeoutMs) });
      try {
        await sql.query("SELECT 1");
        return { ok: true };
      } catch (err) {
        const error = toDatabaseError(err, "readiness.select-1");
        const timedOut = /TimeoutError/.test(error.detail ?? "");
        return { ok: false, reason: timedOut ? "timeout" : "unavailable", error };
      }
    },
  };
}
