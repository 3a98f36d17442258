import { neon } from "@neondatabase/serverless";
import type { ReadinessProbe } from "../services/readiness-probe";
import { isCircuitOpen, toDatabaseError } from "./database-errors";

/**
 * `SELECT 1` through the same driver as every query, with its own budget. The driver's global
 * endpoint and deadline (set by createDatabase) still apply; the budget is the tighter bound.
 */
export function createDatabaseProbe(url: string): ReadinessProbe {
  const sql = neon(url);
  return {
    async check(budgetMs) {
      const started = Date.now();
      try {
        await sql.query("SELECT 1", [], { fetchOptions: { signal: AbortSignal.timeout(budgetMs) } });
        return { ok: true };
      } catch (err) {
        const timedOut = Date.now() - started >= budgetMs - 50 || /TimeoutError|aborted/i.test(String(err));
        const reason = isCircuitOpen(err) ? "circuit open" : timedOut ? "timeout" : "unavailable";
        return { ok: false, reason, error: toDatabaseError(err) };
      }
    },
  };
}
