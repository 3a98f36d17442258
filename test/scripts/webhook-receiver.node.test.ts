import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";

const SECRET = `whsec_${Buffer.from("local-receiver-test-secret-32-bytes!").toString("base64")}`;
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** Starts the receiver and resolves once it listens; its output so far is in `output()`. */
async function startReceiver(args: string[]) {
  const port = await freePort();
  const child = spawn(process.execPath, ["scripts/webhook-receiver.ts", "--port", String(port), ...args], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: SECRET },
  });
  running.push(child);
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { url: `http://127.0.0.1:${port}/hooks`, output: () => out, exited };
}

function delivery(secret = SECRET) {
  const id = crypto.randomUUID();
  const body = JSON.stringify({ id, type: "order.created", data: { order_id: "o-1", order_version: 1 } });
  const signature = new Webhook(secret).sign(id, new Date(), body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { id, body, headers: { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature } };
}

describe("npm run webhook-receiver", () => {
  it("verifies a delivery with the standardwebhooks library, prints it, and exits after --count", async () => {
    const receiver = await startReceiver(["--count", "1"]);
    const { id, body, headers } = delivery();
    const res = await fetch(receiver.url, { method: "POST", body, headers });
    expect(res.status).toBe(200);
    expect(await receiver.exited).toBe(0);
    expect(receiver.output()).toContain(`verified order.created id=${id} order=o-1 version=1`);
    expect(receiver.output()).toContain(body);
  });

  it("refuses a delivery signed with another secret, and answers with --status", async () => {
    const receiver = await startReceiver(["--status", "410"]);
    const forged = delivery(`whsec_${Buffer.from("some-other-secret-entirely-32-bytes").toString("base64")}`);
    expect((await fetch(receiver.url, { method: "POST", body: forged.body, headers: forged.headers })).status).toBe(
      400,
    );
    expect(receiver.output()).toContain("REJECTED");
    const { body, headers } = delivery();
    expect((await fetch(receiver.url, { method: "POST", body, headers })).status).toBe(410);
  });

  it("refuses bad options as a usage error", async () => {
    const child = spawn(process.execPath, ["scripts/webhook-receiver.ts", "--port", "0"], {
      env: { PATH: process.env.PATH },
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(2);
    expect(err).toContain("--port must be a port number");
  });
});
