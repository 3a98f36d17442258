import { neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { Hono } from "hono";

type Bindings = { DATABASE_URL: string; DATABASE_HTTP_ENDPOINT?: string };

/**
 * The stack's floor: Hono and one Drizzle query over the Neon driver, none of the service. What the
 * mandated driver and ORM cost before any of our code (startup, bundle), and the latency this machine
 * gives one database round trip through workerd (the +30 ms tail that no worker can beat here).
 */
const app = new Hono<{ Bindings: Bindings }>();
let db: NeonHttpDatabase | undefined;

app.get("/healthz", (c) => c.json({ status: "ok" }));
app.get("/one-query", async (c) => {
  if (!db) {
    if (c.env.DATABASE_HTTP_ENDPOINT) neonConfig.fetchEndpoint = c.env.DATABASE_HTTP_ENDPOINT;
    db = drizzle(c.env.DATABASE_URL);
  }
  const result = await db.execute(sql`SELECT 1 AS one`);
  return c.json({ rows: result.rows });
});
export default app;
