/** Every error code of the HTTP contract (API.md) with its status and default client message. */
export const ERROR_CODES = {
  ROUTE_NOT_FOUND: { status: 404, message: "no route matches this path" },
  METHOD_NOT_ALLOWED: { status: 405, message: "method not allowed on this path" },
  NOT_IMPLEMENTED: { status: 501, message: "method not implemented" },
  NOT_FOUND: { status: 404, message: "resource not found" },
  VALIDATION_ERROR: { status: 400, message: "the request is invalid" },
  UNAUTHORIZED: { status: 401, message: "authentication required" },
  FORBIDDEN: { status: 403, message: "not allowed for this caller" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Content-Type must be application/json" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "request body too large" },
  CONFLICT: { status: 409, message: "the request conflicts with the current state" },
  PRECONDITION_FAILED: { status: 412, message: "If-Match does not match the current version" },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: "Idempotency-Key was already used with a different request",
  },
  RATE_LIMIT_EXCEEDED: { status: 429, message: "rate limit exceeded" },
  TIMEOUT: { status: 504, message: "the request took too long" },
  SERVICE_UNAVAILABLE: { status: 503, message: "the service is temporarily unavailable" },
  OUTCOME_UNKNOWN: {
    status: 503,
    message: "the database stopped answering after the change was sent: it may or may not have been applied",
  },
  EXTERNAL_SERVICE_ERROR: { status: 502, message: "a dependency answered unexpectedly" },
  INTERNAL_ERROR: { status: 500, message: "an unexpected error occurred" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode]["status"];

/** A field-level validation problem: `path` is dotted (`items.0.quantity`). */
export interface FieldError {
  path: string;
  message: string;
  /**
   * Set when `path` ends in a key the client chose (not one of ours): the part before it. The
   * client sees the whole path; the log sees only this part, since such a key could be anything.
   */
  knownPrefix?: string;
}

export interface AppErrorOptions {
  /** Safe for clients; defaults to the code's message. */
  message?: string;
  /** For the log only: never sent to clients. */
  detail?: string;
  cause?: unknown;
  fields?: FieldError[];
  /** Facts a client acts on without parsing `message` (a 409's `current_status`); safe to send. */
  details?: Record<string, string | number>;
  /** How long until a retry may succeed, in milliseconds, for 429/503 answers (`Retry-After` rounds up to seconds). */
  retryAfterMs?: number;
  /** Extra response headers the error implies (`Allow`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  /** The caller gave up (client gone, deadline passed): nobody reads this answer, so it is no failure. */
  cancelled?: boolean;
  /**
   * The call was sent and no answer came back (connection lost, our deadline): a write may have
   * committed. Writes that are not idempotent turn this into OUTCOME_UNKNOWN.
   */
  mayHaveApplied?: boolean;
}

/**
 * The one error type that crosses layers. `message` is what a client may read; `detail` and
 * `cause` are for the structured log.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly detail: string | undefined;
  readonly fields: FieldError[] | undefined;
  readonly details: Record<string, string | number> | undefined;
  readonly retryAfterMs: number | undefined;
  readonly headers: Record<string, string>;
  readonly cancelled: boolean;
  readonly mayHaveApplied: boolean;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.detail = options.detail;
    this.fields = options.fields;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
    this.headers = options.headers ?? {};
    this.cancelled = options.cancelled ?? false;
    this.mayHaveApplied = options.mayHaveApplied ?? false;
  }
}

/**
 * Turns anything thrown into an AppError. Unknown errors become INTERNAL_ERROR with the
 * original kept as `cause`, so nothing of it reaches the client.
 */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown;
  return new AppError("INTERNAL_ERROR", {
    detail: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : `non-Error thrown: ${describe(thrown)}`,
    cause: thrown,
  });
}

function describe(value: unknown): string {
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A hostile body can break thousands of rules: the answer lists the first few and counts the rest. */
export const MAX_FIELD_ERRORS = 20;

/** VALIDATION_ERROR with at most MAX_FIELD_ERRORS fields; the message says how many there were. */
export function validationError(fields: FieldError[], message = "the request is invalid"): AppError {
  if (fields.length <= MAX_FIELD_ERRORS) return new AppError("VALIDATION_ERROR", { message, fields });
  return new AppError("VALIDATION_ERROR", {
    message: `${message}: ${fields.length} problems, the first ${MAX_FIELD_ERRORS} listed`,
    fields: fields.slice(0, MAX_FIELD_ERRORS),
  });
}
