/**
 * The routes that wait on the database, so their Server-Timing says where the time went. On the
 * others it has nothing to say: liveness, metrics and the fallbacks await nothing, and Workers
 * clocks advance only across I/O, so it would read 0; the docs read only static assets. Hono path
 * patterns: exact, or a prefix ending in `/*`.
 */
export const TIMED_ROUTES = ["/v1/*", "/readyz"] as const;

export const isTimedRoute = (path: string): boolean =>
  TIMED_ROUTES.some((pattern) => (pattern.endsWith("/*") ? path.startsWith(pattern.slice(0, -1)) : path === pattern));

/** Not rate limited: orchestrators poll them, and they must answer during a flood. */
export const PROBES = new Set(["/healthz", "/readyz"]);
