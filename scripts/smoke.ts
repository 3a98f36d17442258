/**
 * `npm run smoke -- <base-url> [--token <jwt>]`: the smoke test against a running order-service
 * (deployed, or `npm run dev`). Without --token (or SMOKE_TOKEN) it mints a short-lived customer token
 * with JWT_SECRET as this machine resolves it (environment, .dev.vars, dev default) and, when set,
 * JWT_ISSUER/JWT_AUDIENCE. Prints one line per step and exits 1 if any failed.
 */

import { resolveSettings } from "../dev/settings.ts";
import { cli } from "./cli.ts";
import { formatReport, mintSmokeToken, runSmoke } from "./smoke-checks.ts";

const USAGE = `usage: npm run smoke -- <base-url> [--token <jwt>]   (e.g. http://127.0.0.1:8787)

Health, readiness, then a create with an Idempotency-Key, its replay, get, list and cancel.
The token: --token, else SMOKE_TOKEN, else one minted with JWT_SECRET as npm run dev resolves it
(environment, .dev.vars, development default) for a customer of its own.`;

const { values, positionals } = cli(USAGE, { token: { type: "string" } }, true);
const baseUrl = positionals[0];
if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
  console.error(USAGE);
  process.exit(2);
}

async function mintToken(): Promise<string> {
  const settings = resolveSettings();
  const secret = settings.JWT_SECRET;
  if (!secret) throw new Error("no --token, SMOKE_TOKEN or JWT_SECRET to mint one with");
  return mintSmokeToken({ secret, issuer: settings.JWT_ISSUER, audience: settings.JWT_AUDIENCE });
}

const token = values.token ?? process.env.SMOKE_TOKEN ?? (await mintToken());
const report = await runSmoke({ baseUrl, token });
console.log(formatReport(report, baseUrl));
process.exit(report.ok ? 0 : 1);
