import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import "../../src/lib/zod-messages";

const messageOf = (schema: z.ZodMiniType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a failure");
  return result.error.issues.map((i) => i.message);
};

describe("validation messages", () => {
  it.each([
    [z.int(), undefined, "is required"],
    [z.int(), "1", "must be an integer"],
    [z.int(), 1.5, "must be an integer"],
    [z.int(), true, "must be an integer"],
    [z.int(), null, "must be an integer"],
    [z.string(), 5, "must be a string"],
    [z.array(z.string()), {}, "must be an array"],
    [z.strictObject({}), [], "must be an object"],
    [z.int().check(z.minimum(1)), 0, "must be at least 1"],
    [z.int().check(z.maximum(1000)), 1001, "must be at most 1000"],
    [z.int(), 2 ** 53, "must be a safe integer"],
    [z.string().check(z.minLength(2)), "a", "must be at least 2 characters long"],
    [z.string().check(z.maxLength(3)), "abcd", "must be at most 3 characters long"],
    [z.array(z.int()).check(z.minLength(1)), [], "must have at least 1 items"],
    [z.array(z.int()).check(z.maxLength(1)), [1, 2], "must have at most 1 items"],
    [z.enum(["USD", "EUR"]), "XYZ", 'must be one of "USD", "EUR"'],
    [z.string().check(z.regex(/^a+$/)), "b", "has characters that are not allowed"],
    [z.uuid(), "not-a-uuid", "must be a valid uuid"],
    [z.strictObject({ a: z.optional(z.int()) }), { b: 1 }, "is not a known field"],
  ] as const)("%#: names the problem without the value", (schema, value, message) => {
    const messages = messageOf(schema, value);
    expect(messages).toEqual([message]);
    if (typeof value === "string" && value.length > 1) expect(messages[0]).not.toContain(value);
  });

  it("says a value is invalid when no rule says more", () => {
    expect(messageOf(z.string().check(z.refine((s) => s === "x")), "y")).toEqual(["is invalid"]);
    expect(messageOf(z.union([z.string(), z.int()]), true)).toEqual(["is invalid"]);
  });

  it("keeps a schema's own message", () => {
    const schema = z.string().check(z.refine((s) => s === "x", "must be x"));
    expect(messageOf(schema, "y")).toEqual(["must be x"]);
  });
});
