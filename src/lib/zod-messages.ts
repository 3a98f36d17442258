import type { core } from "zod/mini";
import * as z from "zod/mini";

const describeBound = (origin: string | undefined, bound: unknown, word: "least" | "most") => {
  if (origin === "string") return `must be at ${word} ${bound} characters long`;
  if (origin === "array") return `must have at ${word} ${bound} items`;
  return `must be at ${word} ${bound}`;
};

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/**
 * z.int() reports a string as "expected number" and 1.5 as "expected int": either way, name the
 * integer it must be. (Every raw issue carries the schema that raised it.)
 */
const isIntegerSchema = (issue: core.$ZodRawIssue) =>
  (issue.inst as { _zod?: { def?: { format?: string } } } | undefined)?._zod?.def?.format === "safeint";

/**
 * zod/mini ships without English messages; these are ours, short and specific. They are computed
 * while zod still holds the input (it drops it from finished issues), so a wrong type is named as
 * a wrong type and only a missing value "is required". The input itself never enters a message.
 */
export function issueMessage(issue: core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      if (isIntegerSchema(issue)) return "must be an integer";
      return `must be ${article(issue.expected)}`;
    case "too_small":
      return describeBound(issue.origin, issue.minimum, "least");
    case "too_big":
      return issue.origin === "int" && issue.maximum === Number.MAX_SAFE_INTEGER
        ? "must be a safe integer"
        : describeBound(issue.origin, issue.maximum, "most");
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return issue.format === "regex" ? "has characters that are not allowed" : `must be a valid ${issue.format}`;
    case "unrecognized_keys":
      return "is not a known field";
    default:
      return "is invalid";
  }
}

// A schema's own message (e.g. a refine's) wins; this fills in the rest, once per isolate.
z.config({ customError: (issue) => issueMessage(issue) });
