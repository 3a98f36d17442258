import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { Logger } from "../observability/logger";
import { type HttpRequestScope, type RequestScope, runInScope } from "../observability/scope-storage";
import { noTracer, platformTracer, type Tracer } from "../observability/tracer";

export interface RequestScopeOptions {
  logger: Logger;
}

/** The runtime's tracing for this request, where there is an execution context that has it. */
function tracerOf(c: Context<AppEnv>): Tracer {
  try {
    return platformTracer((c.executionCtx as { tracing?: Tracing }).tracing);
  } catch {
    return noTracer;
  }
}

/**
 * One request's scope. A class, so a request allocates one object rather than a closure per
 * member; the cancellation signal and the tracer are built on first use, as most requests that
 * touch no database never need them.
 */
class RequestScopeOfContext implements HttpRequestScope {
  readonly db = { calls: 0, ms: 0 };
  readonly spanAttributes: RequestScope["spanAttributes"];
  #cancel?: AbortController;
  #signal?: AbortSignal;
  #tracer?: Tracer;

  constructor(
    private readonly c: Context<AppEnv>,
    readonly logger: Logger,
    requestId: string,
  ) {
    this.spanAttributes = { request_id: requestId };
  }

  get signal(): AbortSignal {
    if (!this.#signal) {
      const clientGone = this.c.req.raw.signal;
      const own = this.#canceller().signal;
      this.#signal = clientGone ? AbortSignal.any([clientGone, own]) : own;
    }
    return this.#signal;
  }

  get tracer(): Tracer {
    this.#tracer ??= tracerOf(this.c);
    return this.#tracer;
  }

  defer(work: Promise<unknown>): void {
    try {
      this.c.executionCtx.waitUntil(work);
    } catch {
      // No execution context (the app called directly, as tests do): the work runs on, unawaited.
    }
  }

  /** The deadline gave up: the request's database calls are aborted. */
  cancel(): void {
    this.#canceller().abort(new DOMException("request deadline passed", "AbortError"));
  }

  #canceller(): AbortController {
    this.#cancel ??= new AbortController();
    return this.#cancel;
  }
}

/**
 * Opens the request's scope: a child logger bound to its request id (also in the context for
 * handlers), a cancellation signal that fires when the client goes away or the deadline gives up,
 * and a database-time tally. Middleware and handlers reach it through the context; the layers
 * below the handlers reach it where `carryRequestScope` applies.
 */
export const withRequestScope = ({ logger }: RequestScopeOptions): MiddlewareHandler<AppEnv> =>
  function withRequestScope(c, next) {
    const trace = c.get("trace");
    const requestId = c.get("requestId");
    const log = logger.child({ request_id: requestId, trace_id: trace.traceId, span_id: trace.spanId });
    c.set("logger", log);
    c.set("scope", new RequestScopeOfContext(c, log, requestId));
    return next();
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
