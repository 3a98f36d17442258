/**
 * `npm run webhook-receiver -- --port <n> [--secret whsec_…] [--status <code>] [--count <n>] [--timeout <s>]`
 * A webhook receiver for local development: verifies each delivery's signature with the
 * `standardwebhooks` library (as a partner's receiver would) and prints the event. `--status 500` or
 * `--status 410` answers every delivery that way, to watch retries or an endpoint being disabled.
 */
import { Webhook } from "standardwebhooks";
import { createLoopbackServer } from "../dev/loopback-server.ts";
import { cli } from "./cli.ts";

const USAGE = `usage: npm run webhook-receiver -- --port <n> [--secret whsec_…] [--status <code>] [--count <n>] [--timeout <s>]

Listens on http://127.0.0.1:<port>/ (any path) for order-service webhooks, verifies each signature with the
standardwebhooks library and prints the event. The secret is the one POST /v1/webhook-endpoints showed;
--secret, else WEBHOOK_SECRET from the environment (which keeps it out of shell history and ps).
--status answers every delivery with that code (default 200; 500 to watch retries, 410 to be disabled).
--count exits 0 after that many verified deliveries; --timeout exits 1 if they have not come within it.`;

const { values } = cli(USAGE, {
  port: { type: "string" },
  secret: { type: "string" },
  status: { type: "string", default: "200" },
  count: { type: "string" },
  timeout: { type: "string" },
});

const fail = (message: string) => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};
const port = Number(values.port);
if (!values.port || !Number.isInteger(port) || port < 1 || port > 65535) fail("--port must be a port number");
const secret = values.secret ?? process.env.WEBHOOK_SECRET;
if (!secret?.startsWith("whsec_")) fail("--secret (or WEBHOOK_SECRET) must be the endpoint's whsec_… secret");
const status = Number(values.status);
if (!Number.isInteger(status) || status < 200 || status > 599) fail("--status must be an HTTP status (200-599)");
const count = values.count === undefined ? undefined : Number(values.count);
if (count !== undefined && !(Number.isInteger(count) && count > 0)) fail("--count must be a positive whole number");
const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
if (timeoutS !== undefined && !(timeoutS > 0)) fail("--timeout must be a number of seconds");

const hook = new Webhook(secret ?? "");
let verified = 0;

const server = createLoopbackServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  try {
    const event = hook.verify(body, headers) as {
      id: string;
      type: string;
      data?: { order_id?: string; order_version?: number };
    };
    verified++;
    console.log(
      `[receiver] verified ${event.type} id=${event.id} order=${event.data?.order_id} version=${event.data?.order_version}` +
        ` → answering ${status}`,
    );
    console.log(body);
    res.writeHead(status).end();
    if (count !== undefined && verified >= count) server.close(() => process.exit(0));
  } catch (err) {
    console.log(
      `[receiver] REJECTED a delivery: ${(err as Error).message} (webhook-id ${headers["webhook-id"] ?? "none"})`,
    );
    res.writeHead(400).end();
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`[receiver] listening on http://127.0.0.1:${port}/ (answering ${status})`);
});
if (timeoutS !== undefined) {
  setTimeout(() => {
    console.error(`[receiver] ${verified} of ${count ?? "?"} deliveries within ${timeoutS} s`);
    process.exit(1);
  }, timeoutS * 1000).unref();
}
