import { describe, expect, it, vi } from "vitest";
import {
  newSpanId,
  parseTraceparent,
  parseTracestate,
  traceLogger,
  traceOf,
  traceparentOf,
} from "../../src/observability/trace-context";
import { captureLogger } from "../support/capture-logger";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${PARENT}-01`;

describe("traceparent", () => {
  it("takes version 00 as the W3C Recommendation writes it", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, parentId: PARENT, flags: "01" });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-00`)?.flags).toBe("00");
  });

  it("clears every flag but sampled, which version 00 does not define (3.2.2.5: vendors MUST set them to zero)", () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-ff`)?.flags).toBe("01");
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-fe`)?.flags).toBe("00");
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-02`)?.flags).toBe("00");
  });

  it.each([
    ["wrong length", `00-${TRACE}0-${PARENT}-01`],
    ["short parent", `00-${TRACE}-${PARENT.slice(1)}-01`],
    ["upper case", VALID.toUpperCase()],
    ["all-zero trace id", `00-${"0".repeat(32)}-${PARENT}-01`],
    ["all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${PARENT}-01`],
    ["extra fields on 00", `${VALID}-what`],
    ["no dashes", VALID.replaceAll("-", "")],
    ["spaces", ` ${VALID}`],
    ["empty", ""],
  ])("ignores one with %s", (_why, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("parses a later version by its first four fields, extra fields and all, keeping only the sampled flag", () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-03-future-stuff`)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      flags: "01",
    });
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-02`)?.flags).toBe("00");
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-01x`)).toBeUndefined();
  });
});

describe("tracestate", () => {
  it("is carried as sent (blanks around members trimmed) when within the specification's limits", () => {
    expect(parseTracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(parseTracestate("tenant@vendor=value")).toBe("tenant@vendor=value");
  });

  it("holds to 512 characters without the optional whitespace, which the limit does not count (3.3.1.5)", () => {
    const members = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, "0")}=${"v".repeat(12)}`);
    const list = members.join(",");
    expect(list.length).toBe(509);
    const spaced = members.join(" ,  ");
    expect(spaced.length).toBeGreaterThan(512);
    expect(parseTracestate(spaced)).toBe(list);
    expect(parseTracestate(`${list},z=vvv`)).toBeUndefined();
  });

  it("is dropped when it breaks them", () => {
    const members = Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(",");
    for (const header of [members, "UPPER=x", "a=1,a=2", "a=", "a=b=c", `a=${"x".repeat(600)}`, "=x"]) {
      expect(parseTracestate(header), header).toBeUndefined();
    }
  });
});

describe("a request's trace", () => {
  it("continues the caller's with a span of its own, and carries tracestate", () => {
    const trace = traceOf(VALID, () => "rojo=00f067aa0ba902b7");
    expect(trace).toMatchObject({ traceId: TRACE, parentId: PARENT, flags: "01", tracestate: "rojo=00f067aa0ba902b7" });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT);
    expect(traceparentOf(trace, trace.spanId)).toBe(`00-${TRACE}-${trace.spanId}-01`);
  });

  it("starts a new one, without tracestate, when the caller's is missing or malformed", () => {
    for (const header of [undefined, `ff-${TRACE}-${PARENT}-01`]) {
      const trace = traceOf(header, () => "rojo=1");
      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.traceId).not.toBe(TRACE);
      expect(trace).not.toHaveProperty("parentId");
      expect(trace).not.toHaveProperty("tracestate");
      expect(trace.flags).toBe("01");
    }
  });

  it("never makes an all-zero id, even from the least random UUID the runtime could give", () => {
    const uuid = vi.spyOn(crypto, "randomUUID").mockReturnValue("00000000-0000-4000-8000-000000000000");
    try {
      const trace = traceOf(undefined, () => undefined);
      expect(trace.traceId).toBe("00000000000040008000000000000000");
      expect(trace.spanId).toBe("8000000000000000");
      expect(newSpanId()).toBe("8000000000000000");
      expect(parseTraceparent(traceparentOf(trace, trace.spanId))).toEqual({
        traceId: trace.traceId,
        parentId: trace.spanId,
        flags: "01",
      });
    } finally {
      uuid.mockRestore();
    }
  });

  it("gives every request and every attempt ids of their own", () => {
    const traces = Array.from({ length: 50 }, () => traceOf(undefined, () => undefined));
    expect(new Set(traces.map((t) => t.traceId)).size).toBe(50);
    expect(new Set(traces.map((t) => t.spanId)).size).toBe(50);
    for (const t of traces) expect(`${t.traceId} ${t.spanId}`).toMatch(/^[0-9a-f]{32} [0-9a-f]{16}$/);
    expect(newSpanId()).not.toBe(newSpanId());
  });

  it("puts work done off the request under the trace a traceparent names", () => {
    const { logger, lines } = captureLogger();
    traceLogger(logger, VALID).info("swept");
    traceLogger(logger, undefined).info("untraced");
    expect(lines[0]).toMatchObject({ trace_id: TRACE });
    expect(lines[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(lines[1]).not.toHaveProperty("trace_id");
  });
});
