export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

/** Structured logger: one JSON object per line. `child` binds fields (e.g. request_id) to every line. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where a finished line goes; console.log by default (Workers Logs ingests it). */
  write?: (line: string) => void;
  bound?: LogFields;
}

/** Methods on the prototype: a request's child logger is one small object, not six closures. */
class JsonLogger implements Logger {
  private readonly level: LogLevel;
  private readonly write: (line: string) => void;
  private readonly bound: LogFields;

  constructor(level: LogLevel, write: (line: string) => void, bound: LogFields) {
    this.level = level;
    this.write = write;
    this.bound = bound;
  }

  debug(msg: string, fields?: LogFields): void {
    this.emit("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.emit("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.emit("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.emit("error", msg, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.level, this.write, { ...this.bound, ...fields });
  }

  private emit(lvl: LogLevel, msg: string, fields?: LogFields): void {
    if (RANK[lvl] < RANK[this.level]) return;
    const line = { time: new Date().toISOString(), level: lvl, msg, ...this.bound, ...fields };
    this.write(JSON.stringify(line, errorReplacer));
  }
}

export function createJsonLogger({
  level = "info",
  write = (line) => console.log(line),
  bound = {},
}: JsonLoggerOptions = {}): Logger {
  return new JsonLogger(level, write, bound);
}

/** Errors serialise to `{}` by default; keep what an operator needs, following the cause chain. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}
