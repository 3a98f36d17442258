/**
 * The benchmark's identity provider: the local provider's key pairs (dev/dev-keys.ts, kept in bench/out)
 * and their JWKS on a local port, so a read can be driven with an RS256 token verified as in production.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { devKeys } from "../dev/dev-keys.ts";

export const BENCH_ISSUER = "https://bench.order-service.local/";
export const BENCH_AUDIENCE = "order-service";

export async function startBenchProvider() {
  const keys = await devKeys("bench/out/keys.json");
  const server = createServer((_req, res) => {
    res
      .writeHead(200, { "Content-Type": "application/json", "Cache-Control": "max-age=3600" })
      .end(JSON.stringify(keys.jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    sign: keys.sign,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
