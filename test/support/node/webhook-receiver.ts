/**
 * Webhook receivers for the workers tests (started by test/global-setup.ts): each path `/<name>` is a
 * receiver of its own, recording every delivery (headers and body, exactly as sent) and answering with
 * the status a test sets through `POST /_control/<name>` (200 by default, or a redirect), or never
 * (`{"hang": true}`: the request stays open until the sender gives up).
 * `GET /_control/<name>` returns what it received.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLoopbackServer } from "../../../dev/loopback-server.ts";
import type { ReceivedDelivery } from "../received-delivery.ts";

export async function startWebhookReceivers(): Promise<{ url: string; close(): Promise<void> }> {
  const answers = new Map<string, { status: number; location?: string; hang?: boolean }>();
  const received = new Map<string, ReceivedDelivery[]>();
  const server: Server = createLoopbackServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    let body = "";
    for await (const chunk of req) body += chunk;
    const control = /^\/_control\/([\w-]+)$/.exec(path);
    if (control?.[1]) {
      const name = control[1];
      if (req.method === "POST") {
        answers.set(name, JSON.parse(body));
        return void res.writeHead(204).end();
      }
      return void res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify(received.get(name) ?? []));
    }
    const name = path.slice(1);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    received.set(name, [...(received.get(name) ?? []), { headers, body }]);
    const answer = answers.get(name) ?? { status: 200 };
    if (answer.hang) return;
    res.writeHead(answer.status, answer.location ? { Location: answer.location } : {}).end("receiver says hello");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
