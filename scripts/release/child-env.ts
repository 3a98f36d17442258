/**
 * What a child process of the release may see: the basics every program needs, plus the names it is
 * given. No child inherits the release's secrets by accident: the checks get none, wrangler gets the
 * Cloudflare credentials only, and the database and smoke secrets stay in this process.
 */
const BASICS = ["PATH", "HOME", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL", "TERM", "CI", "NO_COLOR", "FORCE_COLOR"];

export function childEnv(names: readonly string[] = [], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of [...BASICS, ...names]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * wrangler's own settings: credentials (https://developers.cloudflare.com/workers/wrangler/system-environment-variables/),
 * where it keeps its login (XDG_CONFIG_HOME), and the test double's state file.
 */
export const WRANGLER_ENV = [
  "CLOUDFLARE_API_TOKEN",
  "CLOUDFLARE_ACCOUNT_ID",
  "WRANGLER_LOG",
  "XDG_CONFIG_HOME",
  "WRANGLER_DOUBLE_STATE",
] as const;
