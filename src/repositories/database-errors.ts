import { AppError } from "../domain/app-error";
import { currentScope } from "../observability/scope-storage";
import { CircuitOpenError } from "./circuit-breaker";
import { CallCancelledError } from "./database";

/** The error and everything it wraps: `cause` (Drizzle) and `sourceError` (the Neon driver). */
function* chain(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const queue = [err];
  while (queue.length > 0 && seen.size < 10) {
    const e = queue.shift();
    if (!e || seen.has(e)) continue;
    seen.add(e);
    yield e;
    queue.push((e as { cause?: unknown }).cause, (e as { sourceError?: unknown }).sourceError);
  }
}

/** The SQLSTATE of a Postgres error, wherever Drizzle or the driver wrapped it. */
export function sqlState(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Driver and Drizzle messages carry SQL text, bind parameters and row values: used to classify, never logged. */
function messages(err: unknown): string {
  return [...chain(err)].map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join(" <- ");
}

/** What the log may say about a failed call: the operation, SQLSTATE, error class names, an HTTP status. */
function safeDetail(operation: string, err: unknown): string {
  const names = [...chain(err)].map((e) => (e instanceof Error ? e.name : typeof e)).join(" <- ");
  const state = sqlState(err);
  const status = /HTTP status (\d{3})/.exec(messages(err))?.[1];
  return [`${operation} failed`, state && `SQLSTATE ${state}`, status && `HTTP ${status}`, `(${names})`]
    .filter(Boolean)
    .join(" ");
}

export function isRetryable(err: unknown): boolean {
  const state = sqlState(err);
  return state === "40001" || state === "40P01";
}

/**
 * Driver and Postgres errors as AppErrors. The client sees a code and a safe message; the log gets
 * the operation, SQLSTATE and error classes, never the SQL text or its parameters (no `cause`).
 */
export function toDatabaseError(err: unknown, operation = "database call"): AppError {
  if (err instanceof AppError) return err;
  const detail = safeDetail(operation, err);
  const causes = [...chain(err)];
  const cancelled = causes.find((e): e is CallCancelledError => e instanceof CallCancelledError);
  if (cancelled)
    return new AppError("SERVICE_UNAVAILABLE", { detail, cancelled: true, mayHaveApplied: cancelled.sent });
  const open = causes.find((e): e is CircuitOpenError => e instanceof CircuitOpenError);
  if (open) return new AppError("SERVICE_UNAVAILABLE", { detail, retryAfterMs: open.retryAfterMs });
  const state = sqlState(err);
  const opts = { detail };
  if (state) {
    if (state === "23505") return new AppError("CONFLICT", opts);
    if (state === "23503" || state === "23514" || state === "23502")
      return new AppError("VALIDATION_ERROR", { ...opts, message: "the request violates a data rule" });
    if (state === "22P02" || state === "22003" || state === "22021" || state === "22001")
      return new AppError("VALIDATION_ERROR", { ...opts, message: "a value is out of range or malformed" });
    if (state === "40001" || state === "40P01")
      return new AppError("SERVICE_UNAVAILABLE", { ...opts, retryAfterMs: 1_000 });
    if (state === "57014") return new AppError("TIMEOUT", opts);
    if (/^(08|53|57P)/.test(state)) return new AppError("SERVICE_UNAVAILABLE", { ...opts, retryAfterMs: 5_000 });
    return new AppError("EXTERNAL_SERVICE_ERROR", opts);
  }
  // The database is unavailable right now. A 5xx from the HTTP proxy is an answer: the statement
  // failed, and a failed statement rolled back. Our deadline (TimeoutError), the request being
  // aborted, or a connection that failed or was lost (the driver's "Error connecting to database"
  // wraps any fetch failure, also one after the statement was sent) leave no answer: it may
  // have committed.
  const text = messages(err);
  if (/Server error \(HTTP status 5\d\d\)/.test(text))
    return new AppError("SERVICE_UNAVAILABLE", { ...opts, retryAfterMs: 5_000 });
  if (/TimeoutError|AbortError|Error connecting to database|fetch failed|network/i.test(text)) {
    return new AppError("SERVICE_UNAVAILABLE", { ...opts, retryAfterMs: 5_000, mayHaveApplied: true });
  }
  return new AppError("EXTERNAL_SERVICE_ERROR", opts);
}

/**
 * Runs a database call named by its operation (`orders.create`), retrying once on a serialization
 * failure or deadlock, and maps errors.
 */
export function runQuery<T>(operation: string, call: () => Promise<T>): Promise<T> {
  const scope = currentScope();
  if (!scope) return retried(operation, call);
  // A span of its own in the request's trace, named by the statement's operation (never its SQL or values).
  return scope.tracer.span(`db ${operation}`, { "db.system": "postgresql", "db.operation.name": operation }, () =>
    retried(operation, call),
  );
}

async function retried<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isRetryable(err)) throw toDatabaseError(err, operation);
    currentScope()?.logger.warn("retrying after a serialization failure or deadlock", {
      operation,
      sqlstate: sqlState(err),
    });
    try {
      return await call();
    } catch (again) {
      throw toDatabaseError(again, operation);
    }
  }
}
