import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEV_DEFAULTS, parseDotenv, resolveSettings } from "../../dev/settings.ts";

describe("parseDotenv", () => {
  it("reads KEY=value lines, quotes, export prefixes and comments", () => {
    expect(
      parseDotenv(
        [
          "# a comment",
          "PLAIN=1",
          'QUOTED="two words"',
          "SINGLE='x=y'",
          "export EXPORTED=yes",
          "TRAILING=value # note",
          "  SPACED  =  padded  ",
          "EMPTY=",
          "not a line",
          "#COMMENTED=no",
        ].join("\n"),
      ),
    ).toEqual({
      PLAIN: "1",
      QUOTED: "two words",
      SINGLE: "x=y",
      EXPORTED: "yes",
      TRAILING: "value",
      SPACED: "padded",
      EMPTY: "",
    });
  });
});

describe("resolveSettings", () => {
  const devVars = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "settings-")), ".dev.vars");
    writeFileSync(file, text);
    return file;
  };

  it("takes the environment first, then .dev.vars, then the development defaults", () => {
    const file = devVars("PORT=9000\nLOG_LEVEL=debug\nRATE_LIMIT_IP=20/60s\n");
    const settings = resolveSettings({ PORT: "9100", JWT_ISSUER: "https://id.example" }, file);
    expect(settings.PORT).toBe("9100");
    expect(settings.LOG_LEVEL).toBe("debug");
    expect(settings.RATE_LIMIT_IP).toBe("20/60s");
    expect(settings.JWT_ISSUER).toBe("https://id.example");
    expect(settings.JWT_SECRET).toBe(DEV_DEFAULTS.JWT_SECRET);
  });

  it("works without a .dev.vars file", () => {
    const settings = resolveSettings({}, "/nonexistent/.dev.vars");
    expect(settings.PORT).toBe("8787");
    expect(settings.DATABASE_URL).toBeUndefined();
  });

  it("ships a development secret long enough for the worker to accept", () => {
    expect(new TextEncoder().encode(DEV_DEFAULTS.JWT_SECRET).byteLength).toBeGreaterThanOrEqual(32);
  });
});
