import { describe, expect, it } from "vitest";
import { AppError, ERROR_CODES, MAX_FIELD_ERRORS, toAppError, validationError } from "../../src/domain/app-error";

describe("AppError", () => {
  it.each([
    ["ROUTE_NOT_FOUND", 404],
    ["METHOD_NOT_ALLOWED", 405],
    ["NOT_IMPLEMENTED", 501],
    ["NOT_FOUND", 404],
    ["VALIDATION_ERROR", 400],
    ["UNAUTHORIZED", 401],
    ["FORBIDDEN", 403],
    ["UNSUPPORTED_MEDIA_TYPE", 415],
    ["PAYLOAD_TOO_LARGE", 413],
    ["CONFLICT", 409],
    ["PRECONDITION_FAILED", 412],
    ["IDEMPOTENCY_KEY_REUSED", 422],
    ["RATE_LIMIT_EXCEEDED", 429],
    ["TIMEOUT", 504],
    ["SERVICE_UNAVAILABLE", 503],
    ["EXTERNAL_SERVICE_ERROR", 502],
    ["INTERNAL_ERROR", 500],
  ] as const)("%s is %i", (code, status) => {
    const err = new AppError(code);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.message).toBe(ERROR_CODES[code].message);
  });

  it("keeps client message, detail, cause and fields apart", () => {
    const cause = new Error("duplicate key value violates unique constraint orders_pkey");
    const err = new AppError("CONFLICT", {
      message: "order already exists",
      detail: "insert into orders",
      cause,
      fields: [{ path: "id", message: "taken" }],
      retryAfterMs: 3_000,
      headers: { Allow: "GET" },
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("AppError");
    expect(err.message).toBe("order already exists");
    expect(err.detail).toBe("insert into orders");
    expect(err.cause).toBe(cause);
    expect(err.fields).toEqual([{ path: "id", message: "taken" }]);
    expect(err.retryAfterMs).toBe(3_000);
    expect(err.headers).toEqual({ Allow: "GET" });
  });
});

describe("toAppError", () => {
  it("passes an AppError through untouched", () => {
    const err = new AppError("FORBIDDEN");
    expect(toAppError(err)).toBe(err);
  });

  it("hides an Error behind INTERNAL_ERROR and keeps it as cause", () => {
    const original = new TypeError("cannot read properties of undefined (reading 'password')");
    const err = toAppError(original);
    expect(err.code).toBe("INTERNAL_ERROR");
    expect(err.message).toBe("an unexpected error occurred");
    expect(err.cause).toBe(original);
    expect(err.detail).toContain("TypeError");
  });

  it.each([
    ["a string", "boom"],
    ["an object", { secret: "s3cr3t" }],
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
  ])("wraps %s thrown as a non-Error", (_label, value) => {
    const err = toAppError(value);
    expect(err.code).toBe("INTERNAL_ERROR");
    expect(err.message).toBe("an unexpected error occurred");
    expect(err.detail).toMatch(/^non-Error thrown/);
  });

  it("describes a value that cannot be serialised", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toAppError(circular).detail).toBe("non-Error thrown: [object Object]");
  });

  it("is not cancelled unless told", () => {
    expect(new AppError("SERVICE_UNAVAILABLE").cancelled).toBe(false);
    expect(new AppError("SERVICE_UNAVAILABLE", { cancelled: true }).cancelled).toBe(true);
  });

  it.each([
    ["a string", "boom", "non-Error thrown: boom"],
    ["an object", { a: 1 }, 'non-Error thrown: {"a":1}'],
    ["undefined", undefined, "non-Error thrown: undefined"],
    ["a number", 42, "non-Error thrown: 42"],
  ])("describes %s thrown in the detail, and keeps it as the cause", (_label, thrown, detail) => {
    const err = toAppError(thrown);
    expect(err).toMatchObject({ code: "INTERNAL_ERROR", detail, message: "an unexpected error occurred" });
    expect(err.cause).toBe(thrown);
  });

  it("describes what JSON cannot, without throwing", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toAppError(circular).detail).toBe("non-Error thrown: [object Object]");
    expect(toAppError(10n).detail).toBe("non-Error thrown: [object BigInt]");
  });
});

describe("a validation error with many problems", () => {
  const problems = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `body.items.${i}`, message: "bad" }));

  it("lists up to MAX_FIELD_ERRORS as they are", () => {
    const err = validationError(problems(MAX_FIELD_ERRORS));
    expect(err.message).toBe("the request is invalid");
    expect(err.fields).toEqual(problems(MAX_FIELD_ERRORS));
  });

  it("lists the first MAX_FIELD_ERRORS of more, and says how many there were", () => {
    const err = validationError(problems(MAX_FIELD_ERRORS + 1), "the order is invalid");
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(err.message).toBe(
      `the order is invalid: ${MAX_FIELD_ERRORS + 1} problems, the first ${MAX_FIELD_ERRORS} listed`,
    );
    expect(err.fields).toEqual(problems(MAX_FIELD_ERRORS));
  });
});
