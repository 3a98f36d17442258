import { deployedCompatibility, deployedWorker } from "./compatibility.ts";

/**
 * The platform's bindings for a benchmarked worker, as JS RPC services in the same workerd: the Rate
 * Limiting bindings (a stand-in that admits every request) and the events queue's producer (one
 * that takes every batch). In production Cloudflare serves both
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/,
 * https://developers.cloudflare.com/queues/configuration/javascript-apis/); Miniflare simulates each
 * with a Durable Object whose work would be counted in workerd's CPU here as if it were ours. Each
 * stand-in costs one RPC call per call, as the binding does.
 */
export const PLATFORM_STAND_IN = "platform-stand-in";

const platformStandInWorker = {
  name: PLATFORM_STAND_IN,
  modules: true,
  ...deployedCompatibility(),
  script: [
    'import { WorkerEntrypoint } from "cloudflare:workers";',
    "export class Limiter extends WorkerEntrypoint { async limit() { return { success: true }; } }",
    "export class Queue extends WorkerEntrypoint { async send() {} async sendBatch() {} }",
    "export default { fetch: () => new Response(null, { status: 404 }) };",
  ].join("\n"),
};

/** The service bindings that give a worker both limiters and the events queue. */
const platformBindings = {
  IP_RATE_LIMITER: { name: PLATFORM_STAND_IN, entrypoint: "Limiter" },
  USER_RATE_LIMITER: { name: PLATFORM_STAND_IN, entrypoint: "Limiter" },
  EVENTS_QUEUE: { name: PLATFORM_STAND_IN, entrypoint: "Queue" },
};

/**
 * Miniflare's `workers` (v4 options) for a benchmarked worker as deployed (wrangler.toml's compatibility
 * settings), its platform bindings served by the stand-in worker beside it.
 */
export const onPlatform = (name: string, scriptPath: string, bindings: Record<string, string>) => ({
  workers: [
    { name, ...deployedWorker(scriptPath, bindings), serviceBindings: platformBindings },
    platformStandInWorker,
  ],
});
