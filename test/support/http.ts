import { SELF } from "cloudflare:test";
import type { ErrorEnvelope } from "../../src/middleware/error-response";

/** The host the integration tests call the worker by (any host reaches SELF). */
export const BASE = "http://order-service.test";

/** The error envelope, as the service renders it. */
export type ErrorBody = ErrorEnvelope;

/** A request to the worker under test through `SELF.fetch`: the Workers entry, as deployed. */
export const send = (path: string, init?: RequestInit) => SELF.fetch(`${BASE}${path}`, init);

/**
 * Requests as a client of the API sends them, to `sender`: a bearer token when given, and a body sent
 * as it is when a string, as JSON otherwise (with its Content-Type either way).
 */
export function callerOf(sender: (path: string, init: RequestInit) => Response | Promise<Response>) {
  return async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    sender(path, {
      method,
      headers: {
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
}

/** Client requests to the worker under test through `SELF.fetch`. */
export const call = callerOf(send);

export async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}
