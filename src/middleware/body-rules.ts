import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";

/**
 * Body size limit (413), also for chunked bodies without Content-Length: hono/body-limit counts
 * the bytes as they are read and stops at the limit, so an oversized body is never buffered whole.
 */
export const limitBody = (maxBytes: number): MiddlewareHandler<AppEnv> =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", { message: `request body exceeds ${maxBytes} bytes` });
    },
  });

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** JSON is UTF-8 (RFC 8259): a body declared in any other charset would be decoded wrongly. */
function isUtf8Json(type: string): boolean {
  if (!JSON_TYPE.test(type)) return false;
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  return charset === undefined || charset === "utf-8" || charset === "utf8";
}

/**
 * Whether a request carries a body. RFC 9112 says only Transfer-Encoding or a non-zero
 * Content-Length make one; a runtime may show neither, so a declared Content-Type counts too.
 * `curl -X POST` with no data sends none of the three.
 */
function hasBody(request: Request): boolean {
  if (request.body === null) return false;
  const { headers } = request;
  const length = headers.get("Content-Length");
  if (length !== null) return length !== "0";
  return headers.has("Transfer-Encoding") || headers.has("Content-Type");
}

/**
 * 415 for a body that is not `application/json` in UTF-8, or that is compressed (any
 * Content-Encoding but identity): decoding it would let a small body expand past the size limit. Hono's JSON validator would quietly
 * validate such a body as `{}`. With `optional`, a request without any body passes (e.g. cancel).
 */
export const requireJson = ({ optional = false } = {}): MiddlewareHandler<AppEnv> =>
  async function requireJson(c, next) {
    const type = c.req.header("Content-Type") ?? "";
    if (optional && !hasBody(c.req.raw)) return next();
    const encoding = c.req.header("Content-Encoding");
    if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
      // RFC 9110 §15.5.16: an unsupported content coding is 415, and Accept-Encoding says which
      // codings would have been accepted (§12.5.3): none but identity.
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", {
        message: "Content-Encoding is not supported: send the body uncompressed",
        headers: { "Accept-Encoding": "identity" },
      });
    }
    if (!JSON_TYPE.test(type)) throw new AppError("UNSUPPORTED_MEDIA_TYPE");
    if (!isUtf8Json(type)) {
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", { message: "JSON bodies must be UTF-8 (charset=utf-8 or none)" });
    }
    await next();
  };
