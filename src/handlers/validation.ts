import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type * as z from "zod/mini";
import type { core } from "zod/mini";
import { AppError, type FieldError } from "../domain/app-error";

/** Keys that JSON.parse keeps as own properties but zod's strict objects silently drop. */
const POISON_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function findPoisonKey(value: unknown, path: (string | number)[] = []): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const key of Object.keys(value)) {
    const here = [...path, key];
    if (POISON_KEYS.has(key)) return here.join(".");
    const nested = findPoisonKey((value as Record<string, unknown>)[key], here);
    if (nested) return nested;
  }
  return undefined;
}

const describeBound = (origin: string | undefined, bound: unknown, word: "least" | "most") => {
  if (origin === "string") return `must be at ${word} ${bound} characters long`;
  if (origin === "array") return `must have at ${word} ${bound} items`;
  return `must be at ${word} ${bound}`;
};

/** zod/mini ships without English messages; these are ours, short and specific. */
export function issueMessage(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? "is required"
        : `must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`;
    case "too_small":
      return describeBound(issue.origin, issue.minimum, "least");
    case "too_big":
      return issue.origin === "number" && issue.maximum === Number.MAX_SAFE_INTEGER
        ? "must be a safe integer"
        : describeBound(issue.origin, issue.maximum, "most");
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return issue.format === "regex" ? "has characters that are not allowed" : `must be a valid ${issue.format}`;
    case "unrecognized_keys":
      return "is not a known field";
    default:
      return issue.message || "is invalid";
  }
}

export function fieldErrors(issues: readonly core.$ZodIssue[], prefix?: string): FieldError[] {
  const join = (path: PropertyKey[]) =>
    [prefix, ...path.map(String)].filter((p) => p !== undefined && p !== "").join(".");
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: issueMessage(issue) }))
      : [{ path: join(issue.path) || (prefix ?? "body"), message: issueMessage(issue) }],
  );
}

export function validationError(fields: FieldError[], message = "the request is invalid"): AppError {
  return new AppError("VALIDATION_ERROR", { message, fields });
}

/**
 * `@hono/zod-validator` with our envelope: any failure is a VALIDATION_ERROR with `fields`, and a
 * JSON body that smuggles `__proto__`/`constructor`/`prototype` keys is refused before zod drops
 * them. Query fields are prefixed `query.` and path params `path.`, so clients know where to look.
 */
export function validate<T extends keyof ValidationTargets, S extends z.ZodMiniType>(target: T, schema: S) {
  const prefix = target === "json" ? undefined : target === "param" ? "path" : target;
  return zValidator(target, schema, (result) => {
    if (target === "json") {
      const poisoned = findPoisonKey(result.data);
      if (poisoned) throw validationError([{ path: poisoned, message: "is not a known field" }]);
    }
    if (!result.success) throw validationError(fieldErrors(result.error.issues, prefix));
  });
}
