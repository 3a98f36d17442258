import { deployedCompatibility } from "./compatibility.ts";

/**
 * The Rate Limiting bindings for a benchmarked worker: a stand-in that admits every request, as a
 * JS RPC service in the same workerd. In production the binding is served by Cloudflare's runtime
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/); Miniflare simulates
 * it with a Durable Object whose work would be counted in workerd's CPU here as if it were ours.
 * The stand-in costs one RPC call per layer, as the binding does one call.
 */
export const LIMITER_STAND_IN = "always-admit";

export const limiterStandInWorker = {
  name: LIMITER_STAND_IN,
  modules: true,
  ...deployedCompatibility(),
  script: [
    'import { WorkerEntrypoint } from "cloudflare:workers";',
    "export class Limiter extends WorkerEntrypoint { async limit() { return { success: true }; } }",
    "export default { fetch: () => new Response(null, { status: 404 }) };",
  ].join("\n"),
};

/** The service bindings that give a worker both limiters. */
export const limiterBindings = {
  IP_RATE_LIMITER: { name: LIMITER_STAND_IN, entrypoint: "Limiter" },
  USER_RATE_LIMITER: { name: LIMITER_STAND_IN, entrypoint: "Limiter" },
};
