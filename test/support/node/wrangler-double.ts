/**
 * A wrangler double for the release's tests: `RELEASE_WRANGLER=test/support/node/wrangler-double.ts` makes
 * the release run this instead of wrangler. It keeps an account's state in the JSON file named by
 * WRANGLER_DOUBLE_STATE, records every invocation there, and answers as wrangler and the Cloudflare API
 * are documented to, refusals included; each behaviour cites its page. It reads JSON configurations
 * (`--config x.json`, which wrangler accepts too); the tests write theirs from wrangler.toml.
 *
 * Like wrangler, it appends ND-JSON records to WRANGLER_OUTPUT_FILE_PATH when that is set
 * (https://developers.cloudflare.com/workers/wrangler/system-environment-variables/), in the shapes
 * wrangler 4 writes them: `wrangler-session` first, then `deploy` / `version-upload` / `version-deploy`
 * with their ids, or `command-failed` with the Cloudflare API's error `code` (none for a refusal of
 * wrangler's own). Its prose is wrangler's too, but the release reads only the records.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";

interface Version {
  id: string;
  /** The Durable Object migration tag the worker had once this version was created. */
  migrationTag: string | null;
  secrets: string[];
  /** A test's knob, read by the edge (edge.ts): this version answers 500 to everything. */
  broken?: boolean;
}
interface Worker {
  versions: Version[];
  /** The active deployment, newest last in history: version id → percentage. */
  deployments: { versions: { version_id: string; percentage: number }[] }[];
  migrationTag: string | null;
  crons: string[];
}
export interface DoubleState {
  workers: Record<string, Worker>;
  calls: { argv: string[]; secretsInEnvironment: string[] }[];
  /** The next invocation of this command (e.g. "versions upload") fails as an API outage would. */
  failNext?: string;
  /** The next version created is broken (a bad release), for the edge to serve as such. */
  nextVersionBroken?: boolean;
  /** The account's queues, by name. */
  queues?: string[];
  /**
   * The API token's permissions, e.g. ["Workers Scripts:Edit", "Queues:Edit"] (Edit includes Read, as in
   * the dashboard: https://developers.cloudflare.com/fundamentals/api/get-started/create-token/). Absent:
   * a token that may do everything the release does.
   */
  token?: { permissions: string[] };
  /** A wrangler whose human-readable lines were reworded (an upgrade): the records stay as they are. */
  reworded?: boolean;
}
interface Config {
  name: string;
  migrations?: { tag: string }[];
  triggers?: { crons?: string[] };
  secrets?: { required?: string[] };
  queues?: { producers?: { queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
  env?: Record<string, Omit<Config, "env">>;
}

const statePath = process.env.WRANGLER_DOUBLE_STATE ?? "";
const state = JSON.parse(readFileSync(statePath, "utf8")) as DoubleState;
const argv = process.argv.slice(2);
const SECRET_NAMES = [
  "DATABASE_URL",
  "JWT_SECRET",
  "SMOKE_SECRET",
  "JWT_SECRET_PREVIOUS",
  "WEBHOOK_ENCRYPTION_KEY",
  "WEBHOOK_ENCRYPTION_KEY_PREVIOUS",
];
state.calls.push({ argv, secretsInEnvironment: SECRET_NAMES.filter((n) => process.env[n] !== undefined) });

/** A refusal: the Cloudflare API's, with its error code, or wrangler's own (a UserError, no code). */
class WranglerError extends Error {
  readonly code?: number;
  constructor(message: string, code?: number) {
    super(message);
    this.code = code;
  }
}
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));

/** A line for a person, as this wrangler words it. */
const prose = (text: string) => (state.reworded ? text.replace(/Version ID:/g, "version is now") : text);

/** One of wrangler's output records, as `writeOutput` appends it. */
function record(entry: Record<string, unknown>): void {
  const file = process.env.WRANGLER_OUTPUT_FILE_PATH;
  if (file) appendFileSync(file, `${JSON.stringify({ ...entry, timestamp: new Date().toISOString() })}\n`);
}
record({ type: "wrangler-session", version: 1, wrangler_version: "double", command_line_args: argv });

/**
 * The API refuses a token without the permission a call needs: HTTP 403, "Authentication error"
 * [code: 10000] (https://developers.cloudflare.com/fundamentals/api/troubleshooting/).
 */
function requirePermission(permission: string, resource: string): void {
  const granted = state.token?.permissions;
  if (!granted) return;
  const [group, level] = permission.split(":");
  if (granted.includes(permission) || (level === "Read" && granted.includes(`${group}:Edit`))) return;
  throw new WranglerError(
    `A request to the Cloudflare API (${resource}) failed.\n  Authentication error [code: 10000]`,
    10000,
  );
}

function flag(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function config(): Config {
  const file = flag("config") ?? "wrangler.json";
  const raw = JSON.parse(readFileSync(file, "utf8")) as Config;
  const envName = flag("env");
  const env = envName ? raw.env?.[envName] : undefined;
  if (envName && !env) throw new WranglerError(`No environment found in configuration with name "${envName}".`);
  // Migrations are inheritable; name, triggers and secrets are taken from the environment when it sets them
  // (https://developers.cloudflare.com/workers/wrangler/environments/).
  return { ...raw, ...env, migrations: env?.migrations ?? raw.migrations, env: undefined };
}

const lastTag = (c: Config) => c.migrations?.at(-1)?.tag ?? null;

function newVersion(migrationTag: string | null, secrets: string[]): Version {
  const broken = state.nextVersionBroken === true;
  delete state.nextVersionBroken;
  return { id: newId(), migrationTag, secrets, ...(broken ? { broken } : {}) };
}

const newId = () =>
  `00000000-0000-4000-8000-${String(Object.values(state.workers).flatMap((w) => w.versions).length + 1).padStart(12, "0")}`;

/** The API's answer for a worker the account does not have (wrangler prints the API error). */
function existing(name: string): Worker {
  const worker = state.workers[name];
  if (!worker) {
    throw new WranglerError(
      `A request to the Cloudflare API (/accounts/:account/workers/scripts/${name}) failed.\n` +
        "  This Worker does not exist on your account. [code: 10007]",
      10007,
    );
  }
  return worker;
}

function active(worker: Worker) {
  return worker.deployments.at(-1)?.versions ?? [];
}

function failIfAsked(command: string): void {
  if (state.failNext === command) {
    delete state.failNext;
    throw new WranglerError(`A request to the Cloudflare API failed.\n  Service unavailable [code: 10013]`, 10013);
  }
}

/**
 * `wrangler deploy`: creates the worker if needed, applies pending Durable Object migrations, deploys
 * the new version to 100 % and applies triggers (https://developers.cloudflare.com/workers/wrangler/commands/workers/#deploy).
 * A new worker's required secrets must come with it (`--secrets-file`): they cannot be put in advance
 * (https://developers.cloudflare.com/workers/configuration/secrets/#secrets-on-deployed-workers).
 */
function deploy(): void {
  const c = config();
  if (argv.includes("--dry-run")) {
    console.log("--dry-run: exiting now.");
    return;
  }
  requirePermission("Workers Scripts:Edit", "/accounts/:account/workers/scripts");
  failIfAsked("deploy");
  queuesMustExist(c);
  // Attaching the queue consumer is a Queues call (https://developers.cloudflare.com/queues/configuration/).
  if ((c.queues?.consumers ?? []).length > 0) requirePermission("Queues:Edit", "/accounts/:account/queues");
  const name = flag("name") ?? c.name;
  const worker = state.workers[name];
  const secretsFile = flag("secrets-file");
  const given = secretsFile ? secretNames(readFileSync(secretsFile, "utf8")) : [];
  const missing = (c.secrets?.required ?? []).filter((s) => !given.includes(s));
  if (!worker && missing.length > 0) {
    throw new WranglerError(
      `The following required secrets have not been set: ${missing.join(", ")}\n` +
        "This Worker does not exist yet, so secrets cannot be set in advance with `wrangler secret put`.",
    );
  }
  const target: Worker = worker ?? { versions: [], deployments: [], migrationTag: null, crons: [] };
  const inherited = target.versions.at(-1)?.secrets ?? [];
  const version = newVersion(lastTag(c), [...new Set([...inherited, ...given])]);
  target.versions.push(version);
  target.migrationTag = lastTag(c);
  target.deployments.push({ versions: [{ version_id: version.id, percentage: 100 }] });
  target.crons = c.triggers?.crons ?? [];
  state.workers[name] = target;
  console.log(prose(`Uploaded ${name}\nDeployed ${name} triggers\nCurrent Version ID: ${version.id}`));
  record({ type: "deploy", version: 1, worker_name: name, version_id: version.id, wrangler_environment: flag("env") });
}

/** A secrets file's names: JSON first, then dotenv, as wrangler reads it (`wrangler deploy --help`). */
function secretNames(text: string): string[] {
  try {
    return Object.keys(JSON.parse(text) as Record<string, string>);
  } catch {
    return text
      .split("\n")
      .filter((l) => !l.trim().startsWith("#"))
      .map((l) => l.split("=")[0]?.trim() ?? "")
      .filter(Boolean);
  }
}

/**
 * `wrangler versions upload`: a new version of an existing worker, serving nothing. It cannot create a
 * worker, and refuses an upload carrying a Durable Object migration, which only `wrangler deploy` applies
 * (https://developers.cloudflare.com/workers/versions-and-deployments/gradual-deployments/with-durable-objects/).
 */
function versionsUpload(): void {
  const c = config();
  requirePermission("Workers Scripts:Edit", "/accounts/:account/workers/scripts");
  failIfAsked("versions upload");
  queuesMustExist(c);
  const worker = existing(c.name);
  if (lastTag(c) !== worker.migrationTag) {
    throw new WranglerError(
      "This Worker has a pending Durable Object migration, which cannot be applied by `wrangler versions upload`. " +
        "Durable Object migrations must be applied with `wrangler deploy`.",
    );
  }
  const version = newVersion(worker.migrationTag, worker.versions.at(-1)?.secrets ?? []);
  worker.versions.push(version);
  console.log(prose(`Worker Version ID: ${version.id}`));
  record({ type: "version-upload", version: 1, worker_name: c.name, version_id: version.id });
}

/**
 * `wrangler versions deploy <id>@<p>% [<id>@<p>%]`: one or two versions of the worker, percentages
 * summing to 100; a version may take 0 % and still be reached through version overrides
 * (https://developers.cloudflare.com/workers/versions-and-deployments/version-overrides/).
 */
function versionsDeploy(): void {
  const c = config();
  requirePermission("Workers Scripts:Edit", "/accounts/:account/workers/scripts");
  failIfAsked("versions deploy");
  const worker = existing(c.name);
  const specs = argv.filter((a) => /^[0-9a-f-]{36}@\d+(\.\d+)?%$/.test(a));
  const versions = specs.map((s) => {
    const [id = "", p = ""] = s.split("@");
    if (!worker.versions.some((v) => v.id === id)) throw new WranglerError(`Version ${id} not found for ${c.name}`);
    return { version_id: id, percentage: Number(p.replace("%", "")) };
  });
  if (versions.length < 1 || versions.length > 2) throw new WranglerError("A deployment has one or two versions.");
  if (versions.reduce((sum, v) => sum + v.percentage, 0) !== 100)
    throw new WranglerError("Percentages must sum to 100.");
  worker.deployments.push({ versions });
  console.log(`SUCCESS Deployed ${c.name} version(s): ${specs.join(" ")}`);
  record({ type: "version-deploy", version: 1, worker_name: c.name, version_traffic: versions });
}

function deploymentsStatus(): void {
  const c = config();
  requirePermission("Workers Scripts:Read", "/accounts/:account/workers/scripts");
  const worker = existing(c.name);
  if (worker.deployments.length === 0) throw new WranglerError(`The Worker ${c.name} has no deployments.`);
  console.log(JSON.stringify({ id: `deployment-${worker.deployments.length}`, versions: active(worker) }, null, 2));
}

/**
 * `wrangler triggers deploy`: the only way besides `wrangler deploy` to change crons and routes;
 * `versions deploy` never does (https://developers.cloudflare.com/workers/versions-and-deployments/deployment-management/).
 */
function triggersDeploy(): void {
  const c = config();
  requirePermission("Workers Scripts:Edit", "/accounts/:account/workers/scripts");
  existing(c.name).crons = c.triggers?.crons ?? [];
  console.log(`Deployed ${c.name} triggers`);
}

/**
 * `wrangler secret put` makes and deploys a new version, so it is refused while the latest version is
 * not the one fully deployed (a split, or a 0 % version); `wrangler versions secret put` makes a
 * version without deploying it (https://developers.cloudflare.com/workers/configuration/secrets/).
 */
function secretPut(viaVersions: boolean): void {
  const c = config();
  const worker = existing(c.name);
  const name = argv[viaVersions ? 3 : 2] ?? "";
  const latest = worker.versions.at(-1);
  const deployed = active(worker);
  const latestFullyDeployed = deployed.length === 1 && deployed[0]?.version_id === latest?.id;
  if (!viaVersions && !latestFullyDeployed) {
    throw new WranglerError(
      "Secret edit failed. You attempted to modify a secret, but the latest version of your Worker isn't currently deployed. [code: 10215]",
    );
  }
  const version = {
    id: newId(),
    migrationTag: worker.migrationTag,
    secrets: [...new Set([...(latest?.secrets ?? []), name])],
  };
  worker.versions.push(version);
  if (!viaVersions) worker.deployments.push({ versions: [{ version_id: version.id, percentage: 100 }] });
  console.log(`Success! Uploaded secret ${name}${viaVersions ? ` in version ${version.id}` : ""}`);
}

/**
 * `wrangler rollback [id]`: 100 % to an earlier version, refused across a Durable Object migration
 * (https://developers.cloudflare.com/workers/configuration/versions-and-deployments/rollbacks/#bindings).
 */
function rollback(): void {
  const c = config();
  const worker = existing(c.name);
  const id = argv[1] && /^[0-9a-f-]{36}$/.test(argv[1]) ? argv[1] : undefined;
  const current = worker.versions.find((v) => v.id === active(worker)[0]?.version_id);
  const target = id
    ? worker.versions.find((v) => v.id === id)
    : [...worker.deployments]
        .reverse()
        .slice(1)
        .map((d) => d.versions)
        .find((vs) => vs.length === 1 && vs[0]?.percentage === 100)
        ?.map((v) => worker.versions.find((x) => x.id === v.version_id))[0];
  if (!target) throw new WranglerError("No version to roll back to.");
  if (target.migrationTag !== current?.migrationTag) {
    throw new WranglerError(
      "Rollback refused: a Durable Object migration has occurred between the version in the active deployment and the version selected to roll back to.",
    );
  }
  worker.deployments.push({ versions: [{ version_id: target.id, percentage: 100 }] });
  console.log(`Worker Version ${target.id} has been deployed to 100% of traffic.`);
}

const missingQueue = (name: string) =>
  new WranglerError(`Queue "${name}" does not exist. To create it, run: wrangler queues create ${name}`);

/**
 * A Worker is not uploaded bound to a queue (producer or consumer) that does not exist: wrangler looks
 * them up first and stops with the create command (https://developers.cloudflare.com/queues/configuration/).
 */
function queuesMustExist(c: Config): void {
  const named = [...(c.queues?.producers ?? []), ...(c.queues?.consumers ?? [])].map((q) => q.queue);
  const missing = named.find((name) => !(state.queues ?? []).includes(name));
  if (missing) throw missingQueue(missing);
}

/** `wrangler queues info <name>`: the queue, or "does not exist". */
function queuesInfo(): void {
  requirePermission("Queues:Read", "/accounts/:account/queues");
  const name = argv[2] ?? "";
  if (!(state.queues ?? []).includes(name)) throw missingQueue(name);
  console.log(`Queue Name: ${name}\nNumber of Producers: 0\nNumber of Consumers: 0`);
}

/** `wrangler queues create <name>`: names are unique in an account. */
function queuesCreate(): void {
  requirePermission("Queues:Edit", "/accounts/:account/queues");
  const name = argv[2] ?? "";
  if ((state.queues ?? []).includes(name)) throw new WranglerError(`A queue with the name ${name} already exists.`);
  state.queues = [...(state.queues ?? []), name];
  console.log(`Created queue ${name}.`);
}

/** `wrangler delete --name <worker>`: the worker and its versions are gone. */
function remove(): void {
  const name = flag("name") ?? config().name;
  existing(name);
  delete state.workers[name];
  console.log(`Successfully deleted ${name}`);
}

const commands: Record<string, () => void> = {
  deploy,
  "versions upload": versionsUpload,
  "versions deploy": versionsDeploy,
  "deployments status": deploymentsStatus,
  "triggers deploy": triggersDeploy,
  "secret put": () => secretPut(false),
  "versions secret": () => secretPut(true),
  rollback,
  delete: remove,
  "queues info": queuesInfo,
  "queues create": queuesCreate,
};

const command = commands[argv.slice(0, 2).join(" ")] ?? commands[argv[0] ?? ""];
try {
  if (!command) throw new WranglerError(`the double does not know \`wrangler ${argv.join(" ")}\``);
  command();
  save();
} catch (err) {
  save();
  if (!(err instanceof WranglerError)) throw err;
  record({ type: "command-failed", version: 1, code: err.code, message: err.message });
  console.error(`✘ [ERROR] ${err.message}`);
  process.exit(1);
}
