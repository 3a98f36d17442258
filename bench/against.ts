/**
 * `BENCH_AGAINST=<git ref>`: the worker as it was at another commit, built as the current one is
 * (its own sources and wrangler.toml, this checkout's node_modules and wrangler) and served with the
 * same settings, so `npm run bench` can drive both in the same seconds and tell a change from the
 * machine's drift.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { resolve } from "node:path";

/**
 * A worktree of `ref` with this checkout's node_modules, handed to `build`, then removed: what `build`
 * leaves outside it (a bundle) is all that is needed from there on.
 */
export function inWorktree<T>(ref: string, out: string, build: (tree: string) => T): { built: T; commit: string } {
  const tree = resolve(out, "against-tree");
  const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
  const commit = git("rev-parse", "--verify", `${ref}^{commit}`);
  if (existsSync(tree)) git("worktree", "remove", "--force", tree);
  git("worktree", "prune");
  git("worktree", "add", "--detach", tree, commit);
  try {
    symlinkSync(resolve("node_modules"), resolve(tree, "node_modules"), "dir");
    return { built: build(tree), commit };
  } finally {
    git("worktree", "remove", "--force", tree);
  }
}

/** `wrangler deploy --dry-run --minify` in `cwd` (its wrangler.toml, or `config`); the bundle's path. */
export function wranglerBundle(cwd: string, outdir: string, config?: string): string {
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      resolve("node_modules/wrangler/bin/wrangler.js"),
      "deploy",
      "--dry-run",
      "--minify",
      "--outdir",
      outdir,
      ...(config ? ["-c", config] : []),
    ],
    { cwd, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  const name = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!name) throw new Error(`no bundle built in ${cwd}`);
  return `${outdir}/${name}`;
}

export function buildAgainst(ref: string, out: string): { file: string; commit: string } {
  const { built, commit } = inWorktree(ref, out, (tree) => wranglerBundle(tree, resolve(out, "against")));
  return { file: built, commit };
}
