import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { traceOf } from "../observability/trace-context";

/**
 * The first middleware: the caller's W3C trace continued with a span of ours, or a new trace. The
 * request id (next) becomes one attribute of it, as the design has it: "tracing middleware must wrap
 * RequestID, not the other way around". A missing or malformed `traceparent` starts a new trace;
 * it is never refused and never logged as an error.
 */
export const traceContext = (): MiddlewareHandler<AppEnv> =>
  function traceContext(c, next) {
    c.set(
      "trace",
      traceOf(c.req.header("traceparent"), () => c.req.header("tracestate")),
    );
    return next();
  };
