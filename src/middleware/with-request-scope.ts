import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { Logger } from "../observability/logger";
import { type RequestScope, runInScope } from "../observability/scope-storage";
import { noTracer, platformTracer, type Tracer } from "../observability/tracer";

export interface RequestScopeOptions {
  logger: Logger;
}

/**
 * Opens the request's scope: a child logger bound to its request id (also in the context for
 * handlers), a cancellation signal that fires when the client goes away or the deadline gives up,
 * and a database-time tally. Middleware and handlers reach it through the context; the layers
 * below the handlers reach it where `carryRequestScope` applies.
 */
/** The runtime's tracing for this request, where there is an execution context that has it. */
function tracerOf(c: Context<AppEnv>): Tracer {
  try {
    return platformTracer((c.executionCtx as { tracing?: Tracing }).tracing);
  } catch {
    return noTracer;
  }
}

export const withRequestScope = ({ logger }: RequestScopeOptions): MiddlewareHandler<AppEnv> =>
  async function withRequestScope(c, next) {
    const trace = c.get("trace");
    const requestId = c.get("requestId");
    const log = logger.child({ request_id: requestId, trace_id: trace.traceId, span_id: trace.spanId });
    // Built on first use only: most requests that touch no database never need them.
    let tracer: Tracer | undefined;
    let cancel: AbortController | undefined;
    let signal: AbortSignal | undefined;
    const canceller = () => (cancel ??= new AbortController());
    const scope: RequestScope = {
      logger: log,
      get signal() {
        const clientGone = c.req.raw.signal;
        signal ??= clientGone ? AbortSignal.any([clientGone, canceller().signal]) : canceller().signal;
        return signal;
      },
      db: { calls: 0, ms: 0 },
      trace,
      get tracer() {
        tracer ??= tracerOf(c);
        return tracer;
      },
      spanAttributes: { request_id: requestId },
      defer(work) {
        try {
          c.executionCtx.waitUntil(work);
        } catch {
          // No execution context (the app called directly, as tests do): the work runs on, unawaited.
        }
      },
    };
    c.set("logger", log);
    c.set("scope", scope);
    c.set("cancel", () => canceller().abort(new DOMException("request deadline passed", "AbortError")));
    await next();
  };

/**
 * Carries the scope below the handlers (AsyncLocalStorage), so a database call follows its
 * request's cancellation and counts in its time. Only on routes whose work below the handler is
 * that one request's: not on /readyz, whose probe is shared by concurrent checks and must not be
 * cancelled by whichever client started it, nor on routes with nothing below the handler.
 */
export const carryRequestScope = (): MiddlewareHandler<AppEnv> =>
  function carryRequestScope(c, next) {
    return runInScope(c.get("scope"), next);
  };
