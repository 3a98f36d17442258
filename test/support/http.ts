import { SELF } from "cloudflare:test";

/** The host the integration tests call the worker by (any host reaches SELF). */
export const BASE = "http://order-service.test";

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    request_id: string;
    fields?: { path: string; message: string }[];
    details?: Record<string, string | number>;
  };
}

/** A request to the worker under test through `SELF.fetch`: the Workers entry, as deployed. */
export const send = (path: string, init?: RequestInit) => SELF.fetch(`${BASE}${path}`, init);

/**
 * A request as a client of the API sends it: a bearer token when given, and a body sent as it is
 * when a string, as JSON otherwise (with its Content-Type either way).
 */
export function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return send(path, {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}
