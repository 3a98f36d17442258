import { Hono } from "hono";
import type { AppEnv } from "../app-env";

/** Liveness: the isolate answers. Touches no dependency, so a database outage never restarts it. */
export function healthRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/healthz", (c) => c.json({ status: "ok" as const }));
}
