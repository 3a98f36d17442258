import { describe, expect, it } from "vitest";
import { RETRY_DELAYS_S } from "../../src/services/event-messages";
import { MAX_RETRY_DELAY_S, retryAfterSeconds, retryDelaySeconds } from "../../src/services/retry-policy";

const NOW = Date.parse("2026-12-06T10:00:00.000Z");

describe("Retry-After (RFC 9110 §10.2.3)", () => {
  it.each([
    ["delay-seconds", "120", 120],
    ["delay-seconds with spaces", " 30 ", 30],
    ["an IMF-fixdate", "Sun, 06 Dec 2026 10:05:00 GMT", 300],
    ["an HTTP-date already past", "Sun, 06 Dec 2026 09:00:00 GMT", 0],
  ])("reads %s", (_label, header, seconds) => {
    expect(retryAfterSeconds(header, NOW)).toBe(seconds);
  });

  it.each([
    undefined,
    "",
    "soon",
    "-5",
    "1.5",
    "2026-12-06T10:05:00Z",
    "Sun, 99 Foo 2026",
    // Words before a date V8's Date.parse would still read: not an HTTP-date.
    "in Sun, 06 Dec 2026 10:05:00 GMT",
  ])("ignores %j", (header) => {
    expect(retryAfterSeconds(header, NOW)).toBeUndefined();
  });
});

describe("the delay before the next attempt", () => {
  it("follows the schedule at the jitter's middle, and ends with it", () => {
    RETRY_DELAYS_S.forEach((delay, i) => {
      expect(retryDelaySeconds({ attempt: i + 1, status: 500, random: 0.5 })).toBe(delay);
    });
    expect(retryDelaySeconds({ attempt: RETRY_DELAYS_S.length + 1, status: 500, random: 0.5 })).toBeUndefined();
  });

  it("is never under a second nor over the queue's 12 h, whatever the draw or the receiver asks", () => {
    for (const random of [0, 0.25, 0.999]) {
      for (let attempt = 1; attempt <= RETRY_DELAYS_S.length; attempt++) {
        for (const status of [undefined, 429, 500]) {
          const delay = retryDelaySeconds({ attempt, status, random, retryAfter: 10 ** 6 });
          expect(delay).toBe(MAX_RETRY_DELAY_S);
          const own = retryDelaySeconds({ attempt, status, random }) ?? 0;
          expect(own).toBeGreaterThanOrEqual(1);
          expect(own).toBeLessThanOrEqual(MAX_RETRY_DELAY_S);
        }
      }
    }
  });
});
