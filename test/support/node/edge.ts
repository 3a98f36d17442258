/**
 * Cloudflare's edge in front of a deployment, as far as the release's tests need it: a request goes
 * to the version named by `Cloudflare-Workers-Version-Overrides` when that version is in the active
 * deployment (https://developers.cloudflare.com/workers/versions-and-deployments/version-overrides/),
 * otherwise to the version with the larger share (the platform picks at random by percentage; the
 * tests need one answer). Every version runs the same real worker, except those the wrangler double
 * marked broken (a test's knob: the release it uploads is bad), which answer 500.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DoubleState } from "./wrangler-double.ts";

export interface Edge {
  url: string;
  /** Which version answered each request, in order. */
  served: string[];
  close(): Promise<void>;
}

function versionFor(req: IncomingMessage, state: DoubleState, workerName: string): string | undefined {
  const deployed = state.workers[workerName]?.deployments.at(-1)?.versions ?? [];
  const override = String(req.headers["cloudflare-workers-version-overrides"] ?? "");
  const asked = new RegExp(`(?:^|,)\\s*${workerName}="([0-9a-f-]{36})"`).exec(override)?.[1];
  if (asked && deployed.some((v) => v.version_id === asked)) return asked;
  return [...deployed].sort((a, b) => b.percentage - a.percentage)[0]?.version_id;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEdge({
  statePath,
  workerName,
  origin,
}: {
  statePath: () => string;
  workerName: string;
  origin: string;
}): Promise<Edge> {
  const served: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const state = JSON.parse(readFileSync(statePath(), "utf8")) as DoubleState;
    const version = versionFor(req, state, workerName);
    served.push(version ?? "none");
    const broken = state.workers[workerName]?.versions.find((v) => v.id === version)?.broken;
    if (!version || broken) {
      res.writeHead(version ? 500 : 404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: { code: "INTERNAL", message: "broken version", request_id: "edge" } }));
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
    ) as Record<string, string>;
    const payload = req.method === "GET" || req.method === "HEAD" ? undefined : await body(req);
    const answer = await fetch(new URL(req.url ?? "/", origin), { method: req.method, headers, body: payload });
    const passed = [...answer.headers].filter(([k]) => !["content-encoding", "content-length"].includes(k));
    res.writeHead(answer.status, Object.fromEntries(passed));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
