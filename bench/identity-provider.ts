/**
 * The benchmark's identity provider: the local provider of dev/dev-keys.ts (its keys kept in bench/out),
 * so a read can be driven with an RS256 token verified as in production.
 */
import { serveDevProvider } from "../dev/dev-keys.ts";

export const BENCH_ISSUER = "https://bench.order-service.local/";
export const BENCH_AUDIENCE = "order-service";

/** An hour's max-age: no refresh falls inside a measured run. */
export const startBenchProvider = () => serveDevProvider({ path: "bench/out/keys.json", maxAgeSeconds: 3600 });
