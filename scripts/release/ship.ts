/**
 * Putting a new version in front of traffic the way Cloudflare allows, step by step:
 * - A Worker that does not exist yet, or a release carrying a Durable Object migration, goes out with
 *   `wrangler deploy`: `versions upload` can neither create a Worker nor apply a migration
 *   (https://developers.cloudflare.com/workers/versions-and-deployments/gradual-deployments/with-durable-objects/).
 *   That is atomic and 100 % at once; the release says so.
 * - Every other release uploads a version, deploys it at 0 % beside the one serving, smoke-tests that
 *   version through the `Cloudflare-Workers-Version-Overrides` header
 *   (https://developers.cloudflare.com/workers/versions-and-deployments/version-overrides/), then ramps.
 *   At each stage below 100 % it waits, smoke-tests the new version again and, if that fails, stops
 *   by sending everything back to the old version.
 * - At 100 % it runs `wrangler triggers deploy`: crons and routes change only through it or
 *   `wrangler deploy`, never through `versions deploy`
 *   (https://developers.cloudflare.com/workers/versions-and-deployments/deployment-management/).
 */
import { failureCode, recordOf, refusedWith, WRANGLER_REFUSALS, type Wrangler } from "./wrangler.ts";

export class ReleaseError extends Error {}

/** What `deployments status` says of the Worker. */
export type Serving = { kind: "none" } | { kind: "one"; versionId: string } | { kind: "split"; detail: string };

export function servingFrom(wrangler: Wrangler): Serving {
  const status = wrangler.attempt(["deployments", "status", "--json"]);
  if (!status.ok) {
    // 10007: the account has no such Worker (https://developers.cloudflare.com/api/resources/workers/).
    if (failureCode(status) === 10007) return { kind: "none" };
    throw new ReleaseError(`\`wrangler deployments status\` failed:\n${status.output.trim()}`);
  }
  const versions = (JSON.parse(status.stdout) as { versions?: { version_id: string; percentage: number }[] }).versions;
  if (!versions || versions.length === 0) return { kind: "none" };
  const [only] = versions;
  if (versions.length === 1 && only) return { kind: "one", versionId: only.version_id };
  return { kind: "split", detail: versions.map((v) => `${v.version_id} at ${v.percentage} %`).join(", ") };
}

export interface ShipContext {
  wrangler: Wrangler;
  workerName: string;
  env: string;
  url: string;
  message: string;
  /** Ascending stages ending where this release stops, e.g. [10, 100]. */
  stages: number[];
  rampWaitSeconds: number;
  secretsFile?: string;
  /** Runs the smoke test; with a version id, against that version through the override header. */
  smoke: (versionId?: string) => Promise<boolean>;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

/**
 * `wrangler deploy`: the whole change at once, migrations and triggers included. Returns the version
 * it deployed, from wrangler's `deploy` record.
 */
async function deployAtOnce(ctx: ShipContext, why: string, afterFailure: string): Promise<string> {
  ctx.log(`  ${why}: \`wrangler deploy\`, 100 % at once`);
  const extra = ctx.secretsFile ? ["--secrets-file", ctx.secretsFile] : [];
  const deployed = ctx.wrangler.run(["deploy", "--minify", "--message", ctx.message, ...extra]);
  if (!(await ctx.smoke())) throw new ReleaseError(`the smoke test failed against ${ctx.url}: ${afterFailure}`);
  const id = recordOf(deployed, "deploy")?.version_id;
  if (!id) throw new ReleaseError("wrangler did not report the deployed version's id");
  return id;
}

const overrideHint = (ctx: ShipContext, id: string) =>
  `curl -H 'Cloudflare-Workers-Version-Overrides: ${ctx.workerName}="${id}"' ${ctx.url}/healthz`;

/** Each ships the new version and returns its id if it now serves all traffic (undefined otherwise). */
export async function shipFirst(ctx: ShipContext): Promise<string | undefined> {
  if (!ctx.secretsFile) {
    throw new ReleaseError(
      `${ctx.workerName} does not exist yet: its first deploy needs the Worker's secrets in a file ` +
        '(--secrets-file <path>, JSON or NAME=value lines; docs/deploying.md, "First deploy")',
    );
  }
  return deployAtOnce(
    ctx,
    `${ctx.workerName} does not exist yet, and \`versions upload\` cannot create it`,
    "nothing older to roll back to; fix and release again",
  );
}

/** Uploads a version; undefined when the upload carries a Durable Object migration. */
function upload(ctx: ShipContext): string | undefined {
  const result = ctx.wrangler.attempt(["versions", "upload", "--message", ctx.message]);
  if (refusedWith(result, WRANGLER_REFUSALS.pendingDurableObjectMigration)) return undefined;
  if (!result.ok) throw new ReleaseError(`\`wrangler versions upload\` failed:\n${result.output.trim()}`);
  const id = recordOf(result, "version-upload")?.version_id;
  if (!id) throw new ReleaseError("wrangler did not report the uploaded version's id");
  ctx.log(`  uploaded version ${id}`);
  return id;
}

const split = (next: string, p: number, current: string) =>
  p === 100 ? [`${next}@100%`] : [`${next}@${p}%`, `${current}@${100 - p}%`];

export async function shipGradually(ctx: ShipContext, current: string): Promise<string | undefined> {
  const next = upload(ctx);
  if (next === undefined) {
    return deployAtOnce(
      ctx,
      "this release carries a Durable Object migration, which only `wrangler deploy` applies",
      "a rollback is refused across a Durable Object migration; fix forward and release again",
    );
  }
  ctx.wrangler.run(["versions", "deploy", ...split(next, 0, current), "--yes"]);
  if (!(await ctx.smoke(next))) {
    throw new ReleaseError(
      `the smoke test of version ${next} failed; ${current} still serves all traffic. Look at the new one with: ${overrideHint(ctx, next)}`,
    );
  }
  for (const stage of ctx.stages) {
    ctx.wrangler.run(["versions", "deploy", ...split(next, stage, current), "--yes"]);
    if (stage === 100) break;
    ctx.log(`  ${stage} % on ${next}; smoke-testing it again in ${ctx.rampWaitSeconds} s`);
    await ctx.sleep(ctx.rampWaitSeconds * 1000);
    if (!(await ctx.smoke(next))) {
      ctx.wrangler.run(["versions", "deploy", `${current}@100%`, "--yes"]);
      throw new ReleaseError(
        `the smoke test of version ${next} failed at ${stage} %: stopped, ${current} serves all traffic again`,
      );
    }
  }
  if (ctx.stages.at(-1) !== 100) {
    ctx.log(
      `  left at ${ctx.stages.at(-1)} %: finish with \`npm run wrangler -- versions deploy ${next}@100% --env ${ctx.env} --yes\`, then \`npm run wrangler -- triggers deploy --env ${ctx.env}\``,
    );
    return undefined;
  }
  ctx.wrangler.run(["triggers", "deploy"]);
  if (!(await ctx.smoke())) {
    throw new ReleaseError(
      `the smoke test failed against ${ctx.url} at 100 %: roll back with \`npm run wrangler -- rollback ${current} --env ${ctx.env}\``,
    );
  }
  return next;
}
