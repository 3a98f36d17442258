import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { AppError, type ErrorCode, toAppError } from "../domain/app-error";

/** The error envelope of API.md. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    request_id: string;
    fields?: { path: string; message: string }[];
    details?: Record<string, string | number>;
  };
}

/** Hono's own exceptions (jwt, body-limit, validator) carry only a status: give them our codes. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "PRECONDITION_FAILED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMIT_EXCEEDED",
  503: "SERVICE_UNAVAILABLE",
  504: "TIMEOUT",
};

export function fromThrown(thrown: unknown): AppError {
  if (thrown instanceof HTTPException) {
    const code = CODE_BY_STATUS[thrown.status] ?? "INTERNAL_ERROR";
    // Hono's messages ("Malformed JSON in request body") are safe and useful for 400s only.
    const message = code === "VALIDATION_ERROR" && thrown.message ? thrown.message : undefined;
    // hono/bearer-auth puts its RFC 6750 challenge on the response it carries: keep it.
    const challenge = thrown.res?.headers.get("WWW-Authenticate");
    return new AppError(code, {
      message,
      detail: thrown.message || `HTTP ${thrown.status}`,
      cause: thrown,
      headers: challenge ? { "WWW-Authenticate": challenge } : undefined,
    });
  }
  return toAppError(thrown);
}

/**
 * Renders an AppError as the JSON envelope and logs its internals with the request id.
 * The only place an error becomes a response.
 */
export function errorResponse(c: Context<AppEnv>, err: AppError): Response {
  const log = c.get("logger");
  const fields = {
    code: err.code,
    status: err.status,
    detail: err.detail,
    cause: err.cause,
    // A key the client chose could be anything, a secret's name included: the log names only ours.
    fields: err.fields?.map(({ path, message, knownPrefix }) => ({
      path: knownPrefix === undefined ? path : [knownPrefix, "(unknown field)"].filter(Boolean).join("."),
      message,
    })),
  };
  // Client errors are routine (the request line records their status); ours need attention.
  // 501 is the client's unknown method, not our failure; a cancelled call is nobody's failure.
  if (err.cancelled) log?.debug("request cancelled", { code: err.code, detail: err.detail });
  else if (err.status >= 500 && err.code !== "NOT_IMPLEMENTED") log?.error(err.message, fields);
  else log?.debug(err.message, fields);

  const body: ErrorEnvelope = {
    error: {
      code: err.code,
      message: err.message,
      request_id: c.get("requestId") ?? "",
      ...(err.fields && err.code === "VALIDATION_ERROR"
        ? { fields: err.fields.map(({ path, message }) => ({ path, message })) }
        : {}),
      ...(err.details ? { details: err.details } : {}),
    },
  };
  const headers: Record<string, string> = { ...err.headers };
  if (err.retryAfterMs !== undefined) headers["Retry-After"] = retryAfterHeader(err.retryAfterMs);
  return c.json(body, err.status, headers);
}

/** `Retry-After` is whole seconds (RFC 9110 §10.2.3): rounded up, and at least one. */
export const retryAfterHeader = (ms: number): string => String(Math.max(1, Math.ceil(ms / 1000)));

/** `app.onError`: every thrown value ends here. */
export function onError(thrown: unknown, c: Context<AppEnv>): Response {
  return errorResponse(c, fromThrown(thrown));
}
