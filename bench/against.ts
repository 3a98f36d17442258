/**
 * `BENCH_AGAINST=<git ref>`: the worker as it was at another commit, built as the current one is
 * (its own sources and wrangler.toml, this checkout's node_modules and wrangler) and served with the
 * same settings, so `npm run bench` can drive both in the same seconds and tell a change from the
 * machine's drift.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { resolve } from "node:path";

export function buildAgainst(ref: string, out: string): { file: string; commit: string } {
  const tree = resolve(out, "against-tree");
  const outdir = resolve(out, "against");
  const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
  const commit = git("rev-parse", "--verify", `${ref}^{commit}`);
  if (existsSync(tree)) git("worktree", "remove", "--force", tree);
  git("worktree", "prune");
  git("worktree", "add", "--detach", tree, commit);
  symlinkSync(resolve("node_modules"), resolve(tree, "node_modules"), "dir");
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [resolve("node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--minify", "--outdir", outdir],
    { cwd: tree, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  // The bundle is all that is needed from here on.
  git("worktree", "remove", "--force", tree);
  const name = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!name) throw new Error(`no bundle built for ${ref}`);
  return { file: `${outdir}/${name}`, commit };
}
