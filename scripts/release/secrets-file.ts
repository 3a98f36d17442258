/**
 * The Worker's secrets as wrangler takes them literally. wrangler expands `$VAR` and `${VAR}` in a dotenv
 * secrets file and lets the process environment override its values; a JSON file it takes as written
 * (`wrangler deploy --help`, --secrets-file). The release reads the file it is given (JSON, or NAME=value
 * lines read literally, `$` included) and hands wrangler a JSON copy that only this user can read,
 * removed when the release ends.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";

export interface LiteralSecrets {
  /** The JSON copy to give wrangler. */
  path: string;
  remove(): void;
}

function secretsIn(text: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, string>;
  } catch {
    // Not JSON: NAME=value lines.
  }
  return parseEnv(text) as Record<string, string>;
}

export function literalSecretsFile(given: string): LiteralSecrets {
  const secrets = secretsIn(readFileSync(given, "utf8"));
  if (Object.keys(secrets).length === 0) throw new Error(`${given} holds no secrets (JSON, or NAME=value lines)`);
  const dir = mkdtempSync(join(tmpdir(), "release-secrets-"));
  const path = join(dir, "secrets.json");
  writeFileSync(path, JSON.stringify(secrets), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
