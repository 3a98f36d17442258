/** What the release needs to know of one environment in the wrangler configuration. */
import { readFileSync } from "node:fs";

export interface ReleaseEnvironment {
  /** The Worker's name in that environment (wrangler's `<name>-<env>` when it sets none). */
  workerName: string;
  vars: Record<string, string>;
  /** Every queue the environment's Worker produces to, consumes from or dead-letters to. */
  queues: string[];
}

interface RawQueues {
  producers?: { queue?: string }[];
  consumers?: { queue?: string; dead_letter_queue?: string }[];
}
type RawConfig = {
  name?: string;
  env?: Record<string, { name?: string; vars?: Record<string, unknown>; queues?: RawQueues }>;
};

/**
 * A plain JSON configuration is read as it is; TOML (and JSONC) through wrangler's own reader, loaded
 * only then: it is a large module, and the release should start fast.
 */
async function rawConfigOf(configPath: string): Promise<RawConfig> {
  if (configPath.endsWith(".json")) return JSON.parse(readFileSync(configPath, "utf8")) as RawConfig;
  const { experimental_readRawConfig } = await import("wrangler");
  return experimental_readRawConfig({ config: configPath }).rawConfig as RawConfig;
}

export async function readEnvironment(configPath: string, env: string): Promise<ReleaseEnvironment> {
  const raw = await rawConfigOf(configPath);
  const section = raw.env?.[env];
  if (!section) throw new Error(`${configPath} has no [env.${env}]`);
  const vars = Object.fromEntries(Object.entries(section.vars ?? {}).map(([k, v]) => [k, String(v)]));
  // Queues are not inherited by an environment (https://developers.cloudflare.com/workers/wrangler/environments/).
  const { producers = [], consumers = [] } = section.queues ?? {};
  const queues = [...producers.map((p) => p.queue), ...consumers.flatMap((c) => [c.queue, c.dead_letter_queue])].filter(
    (name): name is string => Boolean(name),
  );
  return { workerName: section.name ?? `${raw.name}-${env}`, vars, queues: [...new Set(queues)] };
}
