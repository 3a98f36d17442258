import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";

export const KNOWN_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** 501 for methods outside the set the API speaks (TRACE, PROPFIND, PURGE, …), on any path. */
export const notImplemented = (): MiddlewareHandler<AppEnv> =>
  function notImplemented(c, next) {
    if (!KNOWN_METHODS.has(c.req.method)) throw new AppError("NOT_IMPLEMENTED");
    return next();
  };
