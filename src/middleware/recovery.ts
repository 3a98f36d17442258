import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { fromThrown } from "./error-response";

/**
 * Hono hands only `Error` instances to `onError`; anything else thrown (a string, an object,
 * `undefined`) would escape to the runtime as a bare 500. Recovery turns every throw into an
 * AppError so the one error handler answers with the envelope.
 */
export const recovery = (): MiddlewareHandler<AppEnv> =>
  async function recovery(_c, next) {
    try {
      await next();
    } catch (thrown) {
      throw fromThrown(thrown);
    }
  };
