import { createServer, type RequestListener, type Server } from "node:http";

/**
 * An HTTP server on this machine that workerd fetches from (the SQL server, the identity provider's keys,
 * webhook receivers), which keeps an idle connection open until workerd closes it.
 *
 * workerd pools its connections and sends the next request on an idle one. Node closes an idle
 * connection after its default keepAliveTimeout (5 s), and a request sent on it as it closes fails
 * inside the worker with `Network connection lost` (cloudflare/workers-sdk#14848, the same race on
 * Miniflare's own loopback server). A keepAliveTimeout of 0 disables that close
 * (https://nodejs.org/api/http.html#serverkeepalivetimeout), and the server no longer announces
 * `Keep-Alive: timeout=5`; the header and request timeouts go too, as on Miniflare's loopback server.
 */
export function createLoopbackServer(listener: RequestListener): Server {
  return createServer({ keepAliveTimeout: 0, headersTimeout: 0, requestTimeout: 0 }, listener);
}
