import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DoubleState } from "../support/node/wrangler-double.ts";

/**
 * The wrangler double's refusals, each as the page cited beside it in test/support/node/wrangler-double.ts
 * documents it: the release's scenarios meet some of them; these are the rest an operator meets.
 */
const dir = mkdtempSync(join(tmpdir(), "double-"));
const config = join(dir, "wrangler.json");
writeFileSync(
  config,
  JSON.stringify({ name: "svc", migrations: [{ tag: "v1", new_sqlite_classes: ["A"] }], secrets: { required: ["S"] } }),
);

function account(state: Partial<DoubleState>): string {
  const path = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ workers: {}, calls: [], ...state }));
  return path;
}

function wrangler(statePath: string, args: string[]): { ok: boolean; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      ["test/support/node/wrangler-double.ts", ...args, "--config", config],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH, WRANGLER_DOUBLE_STATE: statePath },
      },
    );
    return { ok: true, output };
  } catch (err) {
    return { ok: false, output: String((err as { stderr?: string }).stderr) };
  }
}

const A = "00000000-0000-4000-8000-000000000001";
const B = "00000000-0000-4000-8000-000000000002";
const serving = (extra: Partial<DoubleState["workers"][string]> = {}): Partial<DoubleState> => ({
  workers: {
    svc: {
      versions: [{ id: A, migrationTag: "v1", secrets: ["S"] }],
      deployments: [{ versions: [{ version_id: A, percentage: 100 }] }],
      migrationTag: "v1",
      crons: [],
      ...extra,
    },
  },
});

describe("the wrangler double refuses as wrangler does", () => {
  it("versions upload of a Worker the account does not have (10007)", () => {
    expect(wrangler(account({}), ["versions", "upload"]).output).toContain(
      "This Worker does not exist on your account. [code: 10007]",
    );
  });

  it("a first deploy without the required secrets, which cannot be put before the Worker exists", () => {
    const result = wrangler(account({}), ["deploy"]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("The following required secrets have not been set: S");
  });

  it("secret put while a split deployment serves (10215), where versions secret put works", () => {
    const state = account(
      serving({
        versions: [
          { id: A, migrationTag: "v1", secrets: ["S"] },
          { id: B, migrationTag: "v1", secrets: ["S"] },
        ],
        deployments: [
          {
            versions: [
              { version_id: B, percentage: 10 },
              { version_id: A, percentage: 90 },
            ],
          },
        ],
      }),
    );
    expect(wrangler(state, ["secret", "put", "S"]).output).toContain("isn't currently deployed. [code: 10215]");
    expect(wrangler(state, ["versions", "secret", "put", "S"]).ok).toBe(true);
    const after = JSON.parse(readFileSync(state, "utf8")) as DoubleState;
    expect(after.workers.svc?.deployments.at(-1)?.versions).toHaveLength(2);
  });

  it("rollback across a Durable Object migration, and not otherwise", () => {
    const across = account(
      serving({
        versions: [
          { id: A, migrationTag: null, secrets: ["S"] },
          { id: B, migrationTag: "v1", secrets: ["S"] },
        ],
        deployments: [
          { versions: [{ version_id: A, percentage: 100 }] },
          { versions: [{ version_id: B, percentage: 100 }] },
        ],
      }),
    );
    expect(wrangler(across, ["rollback", A, "--yes"]).output).toContain("a Durable Object migration has occurred");
    const same = account(
      serving({
        versions: [
          { id: A, migrationTag: "v1", secrets: ["S"] },
          { id: B, migrationTag: "v1", secrets: ["S"] },
        ],
        deployments: [
          { versions: [{ version_id: A, percentage: 100 }] },
          { versions: [{ version_id: B, percentage: 100 }] },
        ],
      }),
    );
    expect(wrangler(same, ["rollback", "--yes"]).ok).toBe(true);
    expect((JSON.parse(readFileSync(same, "utf8")) as DoubleState).workers.svc?.deployments.at(-1)?.versions).toEqual([
      { version_id: A, percentage: 100 },
    ]);
  });

  it("a deployment whose percentages do not sum to 100", () => {
    expect(wrangler(account(serving()), ["versions", "deploy", `${A}@60%`, "--yes"]).output).toContain(
      "Percentages must sum to 100.",
    );
  });

  it("a deploy bound to a queue the account does not have, and a queue created twice", () => {
    const withQueue = join(dir, "wrangler-queue.json");
    writeFileSync(
      withQueue,
      JSON.stringify({
        name: "svc",
        queues: { producers: [{ binding: "Q", queue: "q" }], consumers: [{ queue: "q" }] },
      }),
    );
    const path = account({});
    const deploy = (extra: string[] = []) =>
      execFileSync(process.execPath, ["test/support/node/wrangler-double.ts", ...extra, "--config", withQueue], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH, WRANGLER_DOUBLE_STATE: path },
      });
    expect(() => deploy(["deploy"])).toThrow(/Queue "q" does not exist\. To create it, run: wrangler queues create q/);
    expect(wrangler(path, ["queues", "info", "q"]).output).toContain('Queue "q" does not exist');
    expect(wrangler(path, ["queues", "create", "q"]).ok).toBe(true);
    expect(wrangler(path, ["queues", "create", "q"]).output).toContain("already exists");
    expect(wrangler(path, ["queues", "info", "q"]).ok).toBe(true);
  });
});
