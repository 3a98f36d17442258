/** The benchmarks' processes: workerd found, pinned and its CPU read; the local SQL server in its own process. */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import type { Faults, Stats } from "../dev/sql-server/server.ts";

/** Child processes of this one (`ps` lists itself among them, so ask for workerd by name: below). */
export function children(): number[] {
  const out = spawnSync("ps", ["-o", "pid=", "--ppid", String(process.pid)], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

const isWorkerd = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
  } catch {
    return false;
  }
};

/** The workerd processes Miniflare started since `before` was taken (`new Set(children())`). */
export const workerdsSince = (before: Set<number>): number[] =>
  children().filter((pid) => !before.has(pid) && isWorkerd(pid));

export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export function pin(pid: number, cpu: number) {
  if (cpus().length < 2) return;
  spawnSync("taskset", ["-a", "-pc", String(cpu), String(pid)], { stdio: "ignore" });
}

/**
 * The local SQL server in a process of its own on CPU 0: its event loop and garbage collector are not
 * the load generator's, so a pause in one is not counted as the worker's latency.
 */
export async function startSqlProcess(databaseUrl: string | undefined) {
  const args = ["dev/sql-server/main.ts", "--migrate"];
  if (databaseUrl) args.push("--database-url", databaseUrl, "--create-databases", "--drop-created-on-close");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolveReady, reject) => {
    child.once("exit", (code) => reject(new Error(`the SQL server exited with ${code}`)));
    lines.on("line", (line) => {
      if (line.startsWith("ready ")) resolveReady(line.slice("ready ".length));
    });
  });
  if (child.pid) pin(child.pid, 0);
  const control = new URL("/_control/", url);
  const setFaults = async (faults: Faults | null) => {
    const res = await fetch(new URL("faults", control), {
      method: faults ? "POST" : "DELETE",
      headers: { "Content-Type": "application/json" },
      body: faults ? JSON.stringify(faults) : null,
    });
    if (!res.ok) throw new Error(`SQL server faults: ${res.status} ${await res.text()}`);
  };
  return {
    url,
    stats: async () => (await (await fetch(new URL("stats", control))).json()) as Stats,
    setFaults,
    /** One statement on a database (which the server creates and migrates on first use). */
    query: async (database: string, query: string) => {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Neon-Connection-String": `postgres://bench:bench@localhost/${database}`,
        },
        body: JSON.stringify({ query, params: [] }),
      });
      if (!res.ok) throw new Error(`SQL server: ${query}: ${res.status} ${await res.text()}`);
    },
    close: () =>
      new Promise<void>((resolveExit) => {
        child.once("exit", () => resolveExit());
        child.kill("SIGTERM");
      }),
  };
}
