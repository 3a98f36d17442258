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

export interface CallOptions {
  /** A bearer token. */
  token?: string;
  /** Sent as it is when a string, as JSON (with its Content-Type) otherwise. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request to the worker under test, through `SELF.fetch` (the Workers entry, as deployed). */
export function call(method: string, path: string, { token, body, headers = {} }: CallOptions = {}) {
  const json = body !== undefined && typeof body !== "string";
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(json || typeof body === "string" ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : json ? JSON.stringify(body) : (body as string),
  });
}

export async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}
