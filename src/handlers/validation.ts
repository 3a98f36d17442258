import { zValidator } from "@hono/zod-validator";
import type { Context, ValidationTargets } from "hono";
import type * as z from "zod/mini";
import type { core } from "zod/mini";
import type { AppEnv } from "../app-env";
import { type FieldError, validationError } from "../domain/app-error";
import { type ValidatedPart, validating } from "../openapi/route-doc";
import "../lib/zod-messages";

/** Paths echo client keys: a 60 KB key name must not make a 60 KB answer. */
const MAX_PATH_LENGTH = 200;

const clip = (path: string) => (path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}…` : path);

export function fieldErrors(issues: readonly core.$ZodIssue[], prefix?: string): FieldError[] {
  const join = (path: PropertyKey[]) =>
    clip([prefix, ...path.map(String)].filter((p) => p !== undefined && p !== "").join("."));
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          path: join([...issue.path, key]),
          message: issue.message,
          knownPrefix: join(issue.path),
        }))
      : [{ path: join(issue.path) || (prefix ?? "body"), message: issue.message }],
  );
}

/**
 * `@hono/zod-validator` with our envelope: any failure is a VALIDATION_ERROR with `fields`. Strict
 * objects report `__proto__`, `constructor` and `prototype` keys as unknown like any other key, so
 * no walk over the client's JSON is needed (a recursive one overflows on a deeply nested body).
 * Query fields are prefixed `query.` and path params `path.`, so clients know where to look.
 */
export function validate<T extends keyof ValidationTargets, S extends z.ZodMiniType>(
  target: T,
  schema: S,
  /** Runs on invalid input before the 400, for a refusal the contract puts first (a 403). */
  refuseFirst?: (c: Context<AppEnv>, input: unknown) => void,
) {
  const prefix = target === "json" ? undefined : target === "param" ? "path" : target;
  const validator = zValidator(target, schema, (result, c) => {
    if (result.success) return;
    refuseFirst?.(c as Context<AppEnv>, result.data);
    const issues = target === "query" ? givenOnce(result.error.issues, c.req.queries()) : result.error.issues;
    throw validationError(fieldErrors(issues, prefix));
  });
  // The same schema documents the request (src/openapi/document.ts): the two cannot disagree.
  return validating(validator, { target: target as ValidatedPart["target"], schema });
}

/**
 * A query parameter sent twice (`?limit=5&limit=50`) reaches the schema as a list, which it reports as
 * the wrong type or value: say what is wrong instead. Every query parameter of the API takes one value.
 */
function givenOnce(issues: readonly core.$ZodIssue[], queries: Record<string, string[]>): core.$ZodIssue[] {
  return issues.map((issue) => {
    const [key, ...deeper] = issue.path;
    const repeated = typeof key === "string" && deeper.length === 0 && (queries[key]?.length ?? 0) > 1;
    return repeated ? { ...issue, message: "must be given once" } : issue;
  });
}
