import { afterEach, describe, expect, it, vi } from "vitest";
import { createJsonLogger } from "../../src/observability/logger";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ level, write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

afterEach(() => vi.restoreAllMocks());

describe("the JSON logger", () => {
  it("writes one JSON object per line with time, level, message and fields", () => {
    const { logger, lines } = capture("debug");
    logger.debug("d", { a: 1 });
    logger.info("i");
    logger.warn("w");
    logger.error("e", { code: "X" });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ["debug", "d"],
      ["info", "i"],
      ["warn", "w"],
      ["error", "e"],
    ]);
    expect(lines[0]).toMatchObject({ a: 1 });
    expect(lines[3]).toMatchObject({ code: "X" });
    expect(new Date(String(lines[0]?.time)).toISOString()).toBe(lines[0]?.time);
  });

  it.each([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
  ] as const)("at level %s writes %j", (level, written) => {
    const { logger, lines } = capture(level);
    logger.debug("x");
    logger.info("x");
    logger.warn("x");
    logger.error("x");
    expect(lines.map((l) => l.level)).toEqual(written);
  });

  it("logs at info by default, to console.log", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const logger = createJsonLogger();
    logger.debug("hidden");
    logger.info("shown");
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ level: "info", msg: "shown" });
  });

  it("binds fields in children, which keep the level and where lines go", () => {
    const { logger, lines } = capture("warn");
    const child = logger.child({ request_id: "r1" }).child({ layer: "db" });
    child.info("dropped");
    child.warn("kept", { extra: true });
    expect(lines).toEqual([expect.objectContaining({ msg: "kept", request_id: "r1", layer: "db", extra: true })]);
    logger.warn("parent");
    expect(lines[1]).not.toHaveProperty("request_id");
  });

  it("keeps an error's name, message and cause, and writes bigints as strings", () => {
    const { logger, lines } = capture();
    const cause = new TypeError("inner");
    logger.error("failed", { err: new RangeError("outer", { cause }), big: 2n ** 64n, plain: "x" });
    expect(lines[0]).toMatchObject({
      err: { name: "RangeError", message: "outer", cause: { name: "TypeError", message: "inner" } },
      big: "18446744073709551616",
      plain: "x",
    });
    expect(JSON.stringify(lines[0]?.err)).toContain("RangeError: outer\\n");
  });
});
