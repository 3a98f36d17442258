/**
 * `npm run check:walkthrough [-- <base-url>]`: runs the README's "Orders in five minutes" block,
 * as a reader would paste it, against a running `npm run dev`, and checks that it shows what the
 * README says it shows. CI runs it, so the walkthrough cannot drift from the service.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cli } from "./cli.ts";

const { positionals } = cli(
  "usage: npm run check:walkthrough [-- <base-url>]   (default http://127.0.0.1:8787, a running npm run dev)",
  {},
  true,
);
const base = positionals[0] ?? "http://127.0.0.1:8787";
const readme = readFileSync("README.md", "utf8");
const block = /<!-- walkthrough:start -->\n```sh\n([\s\S]*?)```\n<!-- walkthrough:end -->/.exec(readme)?.[1];
if (!block) {
  console.error("README.md has no walkthrough block between <!-- walkthrough:start/end --> markers");
  process.exit(2);
}
const script = block.replace(/^BASE=.*$/m, `BASE=${base}`);
const run = spawnSync("bash", ["-euo", "pipefail", "-c", script], { encoding: "utf8", timeout: 120_000 });
const output = `${run.stdout}${run.stderr}`;

/** What the README promises the reader sees, in this order. */
const expected = [
  /HTTP\/1\.1 201 Created/i,
  /ETag: "v1"/i,
  /Idempotent-Replayed: true/i,
  /"page":\{"limit":20,"next_cursor":null\}/,
  /"code":"NOT_FOUND"/,
  /\{"path":"items\.0\.quantity","message":"must be an integer"\}/,
  /\{"path":"note","message":"is not a known field"\}/,
  /"status":"paid"/,
  /"code":"PRECONDITION_FAILED"/,
  /"status":"cancelled"/,
  /"message":"a cancelled order cannot be cancelled"/,
  /"details":\{"current_status":"cancelled"\}/,
  /"type":"order\.status_changed"[^\n]*"previous_status":"pending"/,
  /\[receiver\] verified order\.created id=[0-9a-f-]{36} order=[0-9a-f-]{36} version=1/,
];
let from = 0;
const missing: string[] = [];
for (const pattern of expected) {
  const match = pattern.exec(output.slice(from));
  if (!match) missing.push(String(pattern));
  else from += match.index + match[0].length;
}
if (run.status !== 0 || missing.length > 0) {
  console.error(output);
  console.error(`walkthrough FAILED (exit ${run.status}); not seen, in order: ${missing.join(", ") || "—"}`);
  process.exit(1);
}
console.log(`walkthrough passed against ${base}: ${expected.length} promised answers seen in order`);
