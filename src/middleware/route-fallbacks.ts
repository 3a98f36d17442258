import type { Context, Hono, MiddlewareHandler, NotFoundHandler } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import { errorResponse } from "./error-response";

/** What answers an OPTIONS request on a known path; CORS preflight plugs in here. */
export type OptionsResponder = (c: Context<AppEnv>, allow: string) => Response | Promise<Response>;

const plainOptions: OptionsResponder = (c, allow) => {
  const res = c.body(null, 204, { Allow: allow });
  // The 404 that routing produced first leaves its JSON Content-Type behind; a 204 has no body.
  res.headers.delete("Content-Type");
  return res;
};

/**
 * Tells "no route has this path" (404 ROUTE_NOT_FOUND) from "routes have this path for other
 * methods" (405 METHOD_NOT_ALLOWED + Allow), as Go 1.22's ServeMux does, from the app's real route
 * table. OPTIONS on a known path answers 204 with Allow. Hono's `methodNotAllowed` leaves OPTIONS
 * out of Allow, so it is added here; a handler's own thrown NOT_FOUND is never rewritten (it sets
 * `c.error`, which the middleware honours).
 */
export const routeFallbacks = (
  app: Hono<AppEnv>,
  respondToOptions: OptionsResponder = plainOptions,
): MiddlewareHandler<AppEnv> =>
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) => {
      const allow = [...methods, "OPTIONS"].join(", ");
      if (c.req.method === "OPTIONS") return respondToOptions(c, allow);
      return errorResponse(c, new AppError("METHOD_NOT_ALLOWED", { headers: { Allow: allow } }));
    },
  }) as MiddlewareHandler<AppEnv>;

/** `app.notFound`: the routing 404, distinct by code from a handler's NOT_FOUND. */
export const routeNotFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, new AppError("ROUTE_NOT_FOUND"));
