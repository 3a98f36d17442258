import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/repositories/database";
import { liveApp } from "../support/live-app";
import { recordingQueue } from "../support/recording-queue";
import { testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";
import { consume, receiver } from "../support/webhooks";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;
const order = JSON.stringify({ currency: "USD", items: [{ sku: "TRACE", quantity: 1, unit_price: 100 }] });

describe("W3C trace context", () => {
  it("continues a valid traceparent: every log line of the request carries its trace id and a new span id", async () => {
    const { request, lines } = await liveApp();
    const res = await request("/v1/orders", {
      method: "POST",
      headers: { ...bearer(await token()), "Content-Type": "application/json", traceparent: TRACEPARENT },
      body: order,
    });
    expect(res.status).toBe(201);
    const requestId = res.headers.get("X-Request-Id");
    const mine = lines.filter((l) => l.request_id === requestId);
    expect(mine.length).toBeGreaterThan(0);
    for (const line of mine) {
      expect(line.trace_id).toBe(TRACE);
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(line.span_id).not.toBe(PARENT);
    }
  });

  it.each([
    ["wrong length", `00-${TRACE}-${PARENT}0-01`],
    ["upper case", TRACEPARENT.toUpperCase()],
    ["all-zero trace id", `00-${"0".repeat(32)}-${PARENT}-01`],
    ["all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${PARENT}-01`],
    ["extra fields on 00", `${TRACEPARENT}-extra`],
  ])("starts a new trace for a traceparent with %s, and answers as usual", async (_why, traceparent) => {
    const { app, lines } = testApp();
    const res = await app.request("/healthz", { headers: { traceparent } });
    expect(res.status).toBe(200);
    const line = lines.find((l) => l.request_id === res.headers.get("X-Request-Id"));
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line?.trace_id).not.toBe(TRACE);
    expect(lines.filter((l) => l.level === "error" || l.level === "warn")).toEqual([]);
  });

  it("follows a create from the request to the outbox row, the queue, the consumer's log and the partner's traceparent", async () => {
    const queue = recordingQueue();
    const { request, lines, isolate, bindings } = await liveApp({}, { eventQueue: queue.queue });
    const admin = await token({ role: "admin" });
    const hook = receiver("traced");
    await request("/v1/webhook-endpoints", {
      method: "POST",
      headers: { ...bearer(admin), "Content-Type": "application/json" },
      body: JSON.stringify({ url: hook.url, events: ["order.created"] }),
    });
    const created = await request("/v1/orders", {
      method: "POST",
      headers: {
        ...bearer(await token()),
        "Content-Type": "application/json",
        traceparent: TRACEPARENT,
        tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
      },
      body: order,
    });
    const requestSpan = lines.find((l) => l.request_id === created.headers.get("X-Request-Id"))?.span_id;

    // The outbox row: our request's span is the parent of whatever the event causes.
    const db = createDatabase({
      url: bindings.DATABASE_URL,
      httpEndpoint: env.DATABASE_HTTP_ENDPOINT,
      timeoutMs: 5_000,
    });
    const rows = await db.execute<{ traceparent: string; tracestate: string }>(
      sql`SELECT traceparent, tracestate FROM order_events`,
    );
    expect(rows.rows).toEqual([
      { traceparent: `00-${TRACE}-${requestSpan}-01`, tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" },
    ]);

    // The queue message, the fan-out and the delivery, each logged under the trace.
    const [handedOver] = queue.take();
    expect(handedOver?.traceparent).toBe(`00-${TRACE}-${requestSpan}-01`);
    await consume(isolate, [{ body: handedOver }]);
    const [delivery] = queue.take();
    expect(delivery?.traceparent).toBe(`00-${TRACE}-${requestSpan}-01`);
    await consume(isolate, [{ body: delivery }]);
    const consumerLines = lines.filter((l) => l.msg === "event fanned out" || l.msg === "webhook delivery");
    expect(consumerLines.map((l) => l.trace_id)).toEqual([TRACE, TRACE]);

    // The partner's traceparent continues the trace from the delivery's span; the customer's
    // tracestate stays on this side of the boundary.
    const [got] = await hook.received();
    const deliverySpan = consumerLines[1]?.span_id;
    expect(got?.headers.traceparent).toBe(`00-${TRACE}-${deliverySpan}-01`);
    expect(got?.headers.tracestate).toBeUndefined();
  });
});
