import { SELF } from "cloudflare:test";
import type { ErrorEnvelope } from "../../src/middleware/error-response";

/** The host the integration tests call the worker by (any host reaches SELF). */
export const BASE = "http://order-service.test";

/** The error envelope, as the service renders it. */
export type ErrorBody = ErrorEnvelope;

/** A request to the worker under test through `SELF.fetch`: the Workers entry, as deployed. */
export const send = (path: string, init?: RequestInit) => SELF.fetch(`${BASE}${path}`, init);

/**
 * A request as a client of the API sends it: a bearer token when given, and a body sent as it is
 * when a string, as JSON otherwise (with its Content-Type either way).
 */
export function clientRequest(
  method: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  };
}

/** `clientRequest` sent to the worker under test through `SELF.fetch`. */
export function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return send(path, clientRequest(method, token, body, headers));
}

export async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}
