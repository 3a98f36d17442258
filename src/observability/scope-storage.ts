// biome-ignore lint/correctness/noNodejsModules: the one Node module the worker has, under the nodejs_als flag (wrangler.toml).
import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "./logger";
import type { SpanAttributes, Tracer } from "./tracer";

/**
 * What code below the handlers may know about the request it serves, without HTTP types:
 * its logger (carrying request_id), its cancellation signal, and its database time.
 * Carried by AsyncLocalStorage (the `nodejs_als` compatibility flag), so a repository log line
 * has the request id and the database client can honour the request's own cancellation.
 */
export interface RequestScope {
  logger: Logger;
  /** Aborts when the client goes away. */
  signal?: AbortSignal;
  db: { calls: number; ms: number };
  /** Keeps work going after the answer (`ctx.waitUntil`): a hand-over the queue refused, tried again. */
  defer(work: Promise<unknown>): void;
  /** Workers' tracing for the request's span and the database calls' (a no-op where there is none). */
  tracer: Tracer;
  /**
   * What the layers learn for the request's span (rate-limit decisions, the breaker's state): plain
   * assignments, set on the span once, when the answer is known.
   */
  spanAttributes: SpanAttributes;
}

/** The scope as the HTTP layer holds it: it may also give up on the request's remaining work. */
export interface HttpRequestScope extends RequestScope {
  /** Aborts the request's database calls (the deadline passed). */
  cancel(): void;
}

const storage = new AsyncLocalStorage<RequestScope>();

export const runInScope = <T>(scope: RequestScope, fn: () => T): T => storage.run(scope, fn);

/** The current request's scope, or undefined outside a request (start-up, tests of pure code). */
export const currentScope = (): RequestScope | undefined => storage.getStore();
