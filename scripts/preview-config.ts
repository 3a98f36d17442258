/**
 * `npm run preview:config -- --pr <n> [--out <file>]`: wrangler.toml as pull request <n>'s preview deploys
 * it (.github/workflows/preview.yml), with Rate Limiting namespaces of its own. A namespace is "an
 * identifier you define, that is unique to your Cloudflare account"
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/): previews sharing
 * wrangler.toml's would share counters, and one preview's load test would throttle every other.
 */
import { writeFileSync } from "node:fs";
import { experimental_readRawConfig } from "wrangler";
import { cli } from "./cli.ts";

const USAGE = `usage: npm run preview:config -- --pr <n> [--out <file>]

Writes wrangler.toml as JSON (default wrangler.preview.json, beside it) with [env.preview]'s rate-limit
namespaces made unique to pull request <n>: ${"`"}${1_000_000} + n × 10 + i${"`"}, clear of the other environments'.`;

/** Namespaces of preview n: 1 000 000 + n × 10 + i (i < 10), never those of the environments (1001–3002). */
export const previewNamespace = (pr: number, index: number) => String(1_000_000 + pr * 10 + index);

interface Raw {
  env?: Record<string, { ratelimits?: { namespace_id: string }[] } & Record<string, unknown>>;
}

export function previewConfig(raw: Raw, pr: number): Raw {
  const preview = raw.env?.preview;
  if (!preview) throw new Error("wrangler.toml has no [env.preview]");
  const ratelimits = (preview.ratelimits ?? []).map((binding, i) => ({
    ...binding,
    namespace_id: previewNamespace(pr, i),
  }));
  return { ...raw, env: { ...raw.env, preview: { ...preview, ratelimits } } };
}

if (import.meta.main) {
  const { values } = cli(USAGE, { pr: { type: "string" }, out: { type: "string", default: "wrangler.preview.json" } });
  const pr = Number(values.pr);
  if (!Number.isInteger(pr) || pr < 1) {
    console.error(`--pr must be the pull request's number.\n\n${USAGE}`);
    process.exit(2);
  }
  const { rawConfig } = experimental_readRawConfig({ config: "wrangler.toml" });
  writeFileSync(values.out, JSON.stringify(previewConfig(rawConfig as Raw, pr), null, 2));
  console.log(`${values.out}: [env.preview] of pull request ${pr}, rate-limit namespaces ${previewNamespace(pr, 0)}…`);
}
