import { describe, expect, it, vi } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { CircuitOpenError } from "../../src/repositories/circuit-breaker";
import { constraintOf, runQuery, sqlState, toDatabaseError } from "../../src/repositories/database-errors";

/** Shaped like the Neon driver's NeonDbError, wrapped like Drizzle's DrizzleQueryError. */
function pgError(code: string, extra: Record<string, unknown> = {}) {
  const neon = Object.assign(new Error(`postgres said ${code}`), { name: "NeonDbError", code, ...extra });
  return new Error("Failed query: insert into orders …", { cause: neon });
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
    const err = toDatabaseError(pgError(state, { table: "orders", constraint: "orders_pkey" }));
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    // The client message names no table, constraint or SQL; the detail keeps it all for the log.
    expect(err.message).not.toMatch(/orders|insert|postgres/i);
    expect(err.detail).toContain(`postgres said ${state}`);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("finds the SQLSTATE and constraint through the wrapping", () => {
    const err = pgError("23505", { constraint: "idempotency_keys_pkey" });
    expect(sqlState(err)).toBe("23505");
    expect(constraintOf(err)).toBe("idempotency_keys_pkey");
    expect(sqlState(new Error("plain"))).toBeUndefined();
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
    expect(err.retryAfter).toBeGreaterThan(0);
  });

  it("maps an open circuit to SERVICE_UNAVAILABLE with the time left", () => {
    const wrapped = Object.assign(new Error("Error connecting to database: CircuitOpenError"), {
      sourceError: new CircuitOpenError(12_000),
    });
    const err = toDatabaseError(wrapped);
    expect(err).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfter: 12 });
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
    await expect(runQuery(call)).resolves.toBe("ok");
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("gives up after one retry with SERVICE_UNAVAILABLE", async () => {
    const call = vi.fn().mockRejectedValue(pgError("40P01"));
    await expect(runQuery(call)).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("never retries other errors", async () => {
    const call = vi.fn().mockRejectedValue(pgError("23505"));
    await expect(runQuery(call)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(call).toHaveBeenCalledTimes(1);
  });
});
