/**
 * A local identity provider's JWKS endpoint for the workers tests (started by test/global-setup.ts):
 * each path is a provider of its own whose answer a test sets through `POST /_control/<name>` — the key
 * set, or a fault: a status, an HTML page, a delay, a body of N bytes — and whose fetches it counts.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLoopbackServer } from "../../../dev/loopback-server.ts";
import type { JwksAnswer } from "../jwks-answer.ts";

export async function startJwksServer(): Promise<{ url: string; close(): Promise<void> }> {
  const answers = new Map<string, JwksAnswer>();
  const fetches = new Map<string, number>();
  const server: Server = createLoopbackServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const control = /^\/_control\/([\w-]+)(\/stats)?$/.exec(path);
    if (control?.[1] && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      answers.set(control[1], JSON.parse(body) as JwksAnswer);
      fetches.set(control[1], 0);
      res.writeHead(204).end();
      return;
    }
    if (control?.[1] && control[2]) {
      res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ fetches: fetches.get(control[1]) ?? 0 }));
      return;
    }
    const name = path.slice(1);
    const answer = answers.get(name);
    fetches.set(name, (fetches.get(name) ?? 0) + 1);
    if (!answer) return void res.writeHead(404).end();
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const headers = {
      "Content-Type": answer.contentType ?? "application/json",
      ...(answer.cacheControl ? { "Cache-Control": answer.cacheControl } : {}),
    };
    res.writeHead(answer.status ?? 200, headers);
    if (answer.streamBytes) {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      while (sent < answer.streamBytes && !res.destroyed) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
        sent += chunk.length;
      }
      res.end();
      return;
    }
    res.end(answer.raw ?? JSON.stringify(answer.jwks ?? {}));
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
