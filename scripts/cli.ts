/**
 * The command line of every script: `-h`/`--help` prints its usage and exits 0; an unknown or
 * malformed option prints what is wrong and the usage, and exits 2 (never a stack trace).
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function cli<O extends Options>(usage: string, options: O, allowPositionals = false) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as O & { help: { type: "boolean"; short: "h" } };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof all; allowPositionals: boolean }>>;
  try {
    parsed = parseArgs({ options: all, allowPositionals });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}
