import { describe, expect, it } from "vitest";
import { type PlatformTracing, platformTracer } from "../../src/observability/tracer";

type Recorded = { name: string; attributes: Record<string, unknown>; status?: unknown; ended: boolean };

/**
 * Workers' `Tracing` as documented (https://developers.cloudflare.com/workers/observability/traces/custom-spans/):
 * the request's span is active, `isTraced` says whether the request is sampled, and `enterSpan` hands
 * its callback a span. What the tracer asked of it is recorded.
 */
function fakeTracing(isTraced: boolean) {
  const request: Record<string, unknown> = {};
  const spans: Recorded[] = [];
  const tracing: PlatformTracing = {
    getActiveSpan: () => ({ isTraced, setAttributes: (attributes) => Object.assign(request, attributes) }),
    enterSpan(name, callback) {
      const span: Recorded = { name, attributes: {}, ended: false };
      spans.push(span);
      return callback({
        setAttributes: (attributes) => Object.assign(span.attributes, attributes),
        setStatus: (status) => {
          span.status = status;
        },
        end: () => {
          span.ended = true;
        },
      });
    },
  };
  return { tracing, request, spans };
}

describe("the request's tracer", () => {
  it("on a sampled request, sets the request span's attributes and wraps work in a span of its own", async () => {
    const { tracing, request, spans } = fakeTracing(true);
    const tracer = platformTracer(tracing);
    tracer.annotate({ "http.route": "/v1/orders/:id" });
    const answer = await tracer.span("db orders.get", { "db.operation.name": "orders.get" }, async () => 42);
    expect(answer).toBe(42);
    expect(request).toEqual({ "http.route": "/v1/orders/:id" });
    expect(spans).toEqual([{ name: "db orders.get", attributes: { "db.operation.name": "orders.get" }, ended: true }]);
  });

  it("marks a failed span with the error's code (or name), ends it and rethrows", async () => {
    const { tracing, spans } = fakeTracing(true);
    const tracer = platformTracer(tracing);
    const coded = Object.assign(new Error("no"), { code: "EXTERNAL_SERVICE_ERROR" });
    await expect(tracer.span("db a", {}, () => Promise.reject(coded))).rejects.toBe(coded);
    await expect(tracer.span("db b", {}, () => Promise.reject(new TypeError("x")))).rejects.toThrow(TypeError);
    expect(spans.map((s) => [s.status, s.ended])).toEqual([
      [{ code: "error", message: "EXTERNAL_SERVICE_ERROR" }, true],
      [{ code: "error", message: "TypeError" }, true],
    ]);
  });

  it("on a request that is not sampled, opens no span and sets nothing, and the work still runs", async () => {
    const { tracing, request, spans } = fakeTracing(false);
    const tracer = platformTracer(tracing);
    tracer.annotate({ "http.route": "/v1/orders/:id" });
    expect(await tracer.span("db orders.get", {}, async () => "done")).toBe("done");
    await expect(tracer.span("db a", {}, () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(request).toEqual({});
    expect(spans).toEqual([]);
  });

  it("without the runtime's tracing, or without an active span, does nothing but the work", async () => {
    expect(await platformTracer(undefined).span("db x", {}, async () => 1)).toBe(1);
    const noSpan: PlatformTracing = {
      getActiveSpan: () => undefined,
      enterSpan: () => {
        throw new Error("no span may be opened");
      },
    };
    expect(await platformTracer(noSpan).span("db x", {}, async () => 2)).toBe(2);
  });
});
