/**
 * A typed client of the `/v1` API, as Hono RPC makes one (https://hono.dev/docs/guides/rpc): each route's
 * path, parameters, query, JSON body and answers are its declaration's types, so a wrong body field or a
 * misspelt path fails to compile. Not part of the worker: import it from a program that calls the API.
 *
 *   const api = createClient("https://orders.example.com", { token });
 *   const res = await api.v1.orders.$post({ json: { currency: "USD", items } });
 *   if (res.status === 201) console.log((await res.json()).data.id);
 */
import { hc } from "hono/client";
import type { ApiRoutes } from "./app";

/** The API's routes as a type: `hc<AppType>(baseUrl)` for a client of your own. */
export type AppType = ApiRoutes;

export interface ClientOptions {
  /** A bearer token, sent with every request. */
  token?: string;
  /** The fetch to send with (a test's `SELF.fetch`, a service binding's); the global one by default. */
  fetch?: typeof fetch;
}

export function createClient(baseUrl: string, { token, fetch }: ClientOptions = {}) {
  return hc<AppType>(baseUrl, {
    ...(fetch ? { fetch } : {}),
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}
