import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serveDevProvider } from "../../dev/dev-keys.ts";
import { startJwksServer } from "../support/node/jwks-server.ts";
import { startTestSqlServer } from "../support/node/sql-server.ts";
import { startWebhookReceivers } from "../support/node/webhook-receiver.ts";

/**
 * Every server of this machine that workerd fetches from keeps an idle connection until workerd closes
 * it (dev/loopback-server.ts): it answers on a kept-alive connection and announces no idle timeout, the
 * `Keep-Alive: timeout=5` of Node's default, after which it would close a connection workerd may be
 * sending its next request on (`Network connection lost` inside the worker).
 */
const servers: [string, () => Promise<{ url: string; close(): Promise<void> }>][] = [
  ["the SQL server", () => startTestSqlServer()],
  ["the identity provider's keys of the tests", startJwksServer],
  ["the webhook receivers of the tests", startWebhookReceivers],
  [
    "npm run dev's identity provider",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "dev-keys-"));
      const provider = await serveDevProvider({ path: join(dir, "keys.json"), maxAgeSeconds: 60 });
      const close = async () => {
        await provider.close();
        rmSync(dir, { recursive: true });
      };
      return { url: provider.url, close };
    },
  ],
];

describe("the servers workerd fetches from", () => {
  it.each(servers)("%s keeps an idle connection open, announcing no timeout", async (_, start) => {
    const server = await start();
    try {
      const res = await fetch(server.url);
      await res.arrayBuffer();
      expect(res.headers.get("connection")).toBe("keep-alive");
      expect(res.headers.get("keep-alive")).toBeNull();
    } finally {
      await server.close();
    }
  });

  it("holds Node's default to what it was, so the check above means something", async () => {
    const plain = createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const { port } = plain.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/`);
    await res.arrayBuffer();
    expect(res.headers.get("keep-alive")).toMatch(/^timeout=\d+$/);
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  });
});
