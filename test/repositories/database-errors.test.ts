import { describe, expect, it, vi } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { CircuitOpenError } from "../../src/repositories/circuit-breaker";
import { CallCancelledError } from "../../src/repositories/database";
import { runQuery, sqlState, toDatabaseError } from "../../src/repositories/database-errors";

/** Shaped like the Neon driver's NeonDbError, wrapped like Drizzle's DrizzleQueryError. */
function pgError(code: string, extra: Record<string, unknown> = {}) {
  const neon = Object.assign(new Error(`postgres said ${code}: Key (id)=(secret-order-id)`), {
    name: "NeonDbError",
    code,
    ...extra,
  });
  return Object.assign(
    new Error("Failed query: insert into orders values ($1)\nparams: 00000000-0000-4000-8000-00000000beef", {
      cause: neon,
    }),
    { name: "DrizzleQueryError" },
  );
}

describe("toDatabaseError", () => {
  it.each([
    ["23505", "CONFLICT", 409],
    ["23503", "VALIDATION_ERROR", 400],
    ["23514", "VALIDATION_ERROR", 400],
    ["23502", "VALIDATION_ERROR", 400],
    ["22P02", "VALIDATION_ERROR", 400],
    ["22003", "VALIDATION_ERROR", 400],
    ["22021", "VALIDATION_ERROR", 400],
    ["40001", "SERVICE_UNAVAILABLE", 503],
    ["40P01", "SERVICE_UNAVAILABLE", 503],
    ["57014", "TIMEOUT", 504],
    ["08006", "SERVICE_UNAVAILABLE", 503],
    ["53300", "SERVICE_UNAVAILABLE", 503],
    ["57P01", "SERVICE_UNAVAILABLE", 503],
    ["42P01", "EXTERNAL_SERVICE_ERROR", 502],
  ])("maps SQLSTATE %s to %s", (state, code, status) => {
    const err = toDatabaseError(pgError(state, { table: "orders", constraint: "orders_pkey" }), "orders.create");
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    // The client message names no table, constraint or SQL.
    expect(err.message).not.toMatch(/orders|insert|postgres/i);
    // The log gets the operation, SQLSTATE and error classes: never SQL text, parameters or values.
    expect(err.detail).toBe(`orders.create failed SQLSTATE ${state} (DrizzleQueryError <- NeonDbError)`);
    expect(err.cause).toBeUndefined();
    expect(JSON.stringify({ detail: err.detail, cause: err.cause })).not.toMatch(/insert|beef|secret-order-id|\$1/);
  });

  it("finds the SQLSTATE through the wrapping", () => {
    expect(sqlState(pgError("23505"))).toBe("23505");
    expect(sqlState(new Error("plain"))).toBeUndefined();
  });

  it("marks a call its caller cancelled, so nobody logs it as a failure; sent, it may have been applied", () => {
    const cause = { cause: new DOMException("x", "AbortError") };
    const err = toDatabaseError(new CallCancelledError("gone", true, cause), "x");
    expect(err).toMatchObject({ code: "SERVICE_UNAVAILABLE", cancelled: true, mayHaveApplied: true });
    const unsent = toDatabaseError(new CallCancelledError("gone before", false), "x");
    expect(unsent).toMatchObject({ code: "SERVICE_UNAVAILABLE", cancelled: true, mayHaveApplied: false });
    expect(toDatabaseError(new Error("fetch failed")).cancelled).toBe(false);
  });

  it.each([
    [
      "the deadline",
      Object.assign(new Error("Error connecting to database: TimeoutError: aborted"), {
        sourceError: new DOMException("timeout", "TimeoutError"),
      }),
    ],
    ["a refused connection", new Error("Error connecting to database: TypeError: fetch failed")],
    ["a 5xx from the proxy", new Error("Server error (HTTP status 503): upstream unavailable")],
  ])("maps %s to SERVICE_UNAVAILABLE with Retry-After", (_label, thrown) => {
    const err = toDatabaseError(thrown);
    expect(err.code).toBe("SERVICE_UNAVAILABLE");
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });

  it.each([
    ["our deadline", Object.assign(new Error("x"), { sourceError: new DOMException("timeout", "TimeoutError") })],
    ["an aborted request", new DOMException("aborted", "AbortError")],
    ["a lost connection", new Error("Error connecting to database: Error: Network connection lost.")],
    ["a failed fetch", new Error("fetch failed")],
    ["a network error", new TypeError("network error")],
  ])("says %s may have applied a write: no answer came back", (_label, thrown) => {
    expect(toDatabaseError(thrown).mayHaveApplied).toBe(true);
  });

  it.each([
    ["a 5xx from the proxy", new Error("Server error (HTTP status 503): upstream unavailable")],
    ["a Postgres error", pgError("53300")],
    ["an open circuit", new CircuitOpenError(1_000)],
    ["anything else", new Error("unexpected answer shape")],
  ])("says %s applied nothing: an answer came back, or nothing was sent", (_label, thrown) => {
    expect(toDatabaseError(thrown).mayHaveApplied).toBe(false);
  });

  it("maps an open circuit to SERVICE_UNAVAILABLE with the time left", () => {
    const wrapped = Object.assign(new Error("Error connecting to database: CircuitOpenError"), {
      sourceError: new CircuitOpenError(12_000),
    });
    const err = toDatabaseError(wrapped);
    expect(err).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfterMs: 12_000 });
  });

  it("maps anything else to EXTERNAL_SERVICE_ERROR and passes AppErrors through", () => {
    expect(toDatabaseError(new Error("unexpected answer shape")).code).toBe("EXTERNAL_SERVICE_ERROR");
    const app = new AppError("NOT_FOUND");
    expect(toDatabaseError(app)).toBe(app);
  });
});

describe("runQuery", () => {
  it("retries a serialization failure once, and succeeds", async () => {
    const call = vi.fn().mockRejectedValueOnce(pgError("40001")).mockResolvedValueOnce("ok");
    await expect(runQuery("test.op", call)).resolves.toBe("ok");
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("gives up after one retry with SERVICE_UNAVAILABLE", async () => {
    const call = vi.fn().mockRejectedValue(pgError("40P01"));
    await expect(runQuery("test.op", call)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("never retries other errors", async () => {
    const call = vi.fn().mockRejectedValue(pgError("23505"));
    await expect(runQuery("test.op", call)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(call).toHaveBeenCalledTimes(1);
  });
});
