import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import document from "../../public/openapi.json" with { type: "json" };

describe("the committed OpenAPI document", () => {
  it("is valid OpenAPI 3.1 (checked by a validator, not by hand)", async () => {
    const validator = new Validator();
    const result = await validator.validate(document as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });
});
