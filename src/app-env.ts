import type { RequestIdVariables } from "hono/request-id";
import type { TimingVariables } from "hono/timing";
import type { AppBindings } from "./config/config";
import type { Caller } from "./domain/caller";
import type { Logger } from "./observability/logger";
import type { HttpRequestScope } from "./observability/scope-storage";
import type { TraceContext } from "./observability/trace-context";

/** The one Hono environment type shared by every router and middleware. */
export interface AppEnv {
  Bindings: AppBindings;
  Variables: RequestIdVariables &
    TimingVariables & {
      /** The request's logger, already carrying request_id. */
      logger: Logger;
      /** The request's scope (logger, cancellation, database time); `cancel()` gives up on its work. */
      scope: HttpRequestScope;
      /** Set by the auth middleware on protected routes. */
      caller: Caller;
      /** The request's W3C trace: the caller's continued, or a new one (the first middleware). */
      trace: TraceContext;
    };
}
