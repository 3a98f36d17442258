/** What the release needs to know of one environment in the wrangler configuration. */
import { experimental_readRawConfig } from "wrangler";

export interface ReleaseEnvironment {
  /** The Worker's name in that environment (wrangler's `<name>-<env>` when it sets none). */
  workerName: string;
  vars: Record<string, string>;
}

export function readEnvironment(configPath: string, env: string): ReleaseEnvironment {
  const { rawConfig } = experimental_readRawConfig({ config: configPath });
  const raw = rawConfig as { name?: string; env?: Record<string, { name?: string; vars?: Record<string, unknown> }> };
  const section = raw.env?.[env];
  if (!section) throw new Error(`${configPath} has no [env.${env}]`);
  const vars = Object.fromEntries(Object.entries(section.vars ?? {}).map(([k, v]) => [k, String(v)]));
  return { workerName: section.name ?? `${raw.name}-${env}`, vars };
}
