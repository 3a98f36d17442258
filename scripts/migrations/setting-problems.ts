import { migrationHeader } from "./header.ts";

/**
 * Timeouts set the way the runner can honour: `SET LOCAL` inside a migration's transaction; none in a
 * migration without one (over HTTP each statement is its own session). As `file: message` lines.
 */
export function settingProblems(file: string, sql: string): string[] {
  const { transactional } = migrationHeader(sql);
  const code = sql.replace(/--[^\n]*/g, "");
  const problems: string[] = [];
  for (const match of code.matchAll(/\bSET\s+(SESSION\s+|LOCAL\s+)?(\w+)/gi)) {
    const [text, scope = "", name] = match;
    if (!/^(lock_timeout|statement_timeout|idle_in_transaction_session_timeout)$/i.test(name ?? "")) continue;
    if (!transactional)
      problems.push(`${file}: \`${text}\` reaches no other statement: this migration has no transaction`);
    else if (!/^LOCAL/i.test(scope))
      problems.push(`${file}: \`${text}\` must be \`SET LOCAL ${name}\` (this migration's transaction only)`);
  }
  return problems;
}
