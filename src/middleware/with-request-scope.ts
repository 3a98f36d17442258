import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { Logger } from "../domain/logger";
import { type RequestScope, runInScope } from "../observability/request-scope";

export interface RequestScopeOptions {
  logger: Logger;
}

/**
 * Opens the request's scope: a child logger bound to its request id (also in the context for
 * handlers), a cancellation signal that fires when the client goes away or the deadline gives up,
 * and a database-time tally. Everything below runs inside it.
 */
export const withRequestScope = ({ logger }: RequestScopeOptions): MiddlewareHandler<AppEnv> =>
  async function withRequestScope(c, next) {
    const log = logger.child({ request_id: c.get("requestId") });
    // Built on first use only: most requests that touch no database never need them.
    let cancel: AbortController | undefined;
    let signal: AbortSignal | undefined;
    const scope: RequestScope = {
      logger: log,
      get signal() {
        cancel ??= new AbortController();
        const clientGone = c.req.raw.signal;
        signal ??= clientGone ? AbortSignal.any([clientGone, cancel.signal]) : cancel.signal;
        return signal;
      },
      db: { calls: 0, ms: 0 },
    };
    c.set("logger", log);
    c.set("scope", scope);
    c.set("cancel", () => {
      cancel ??= new AbortController();
      cancel.abort(new DOMException("request deadline passed", "AbortError"));
    });
    await runInScope(scope, next);
  };
