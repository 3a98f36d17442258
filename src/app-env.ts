import type { RequestIdVariables } from "hono/request-id";
import type { AppBindings } from "./config/config";
import type { Caller } from "./domain/caller";
import type { Logger } from "./domain/logger";

/** The one Hono environment type shared by every router and middleware. */
export interface AppEnv {
  Bindings: AppBindings;
  Variables: RequestIdVariables & {
    /** The request's logger, already carrying request_id. */
    logger: Logger;
    /** Set by the auth middleware on protected routes. */
    caller: Caller;
  };
}
