import { Hono } from "hono";

/** The baseline: bare Hono on the same workerd, answering the same JSON as /healthz. */
const app = new Hono();
app.get("/healthz", (c) => c.json({ status: "ok" }));
export default app;
