import { describe, expect, it } from "vitest";
import { clientKey } from "../../src/limiters/client-key";

describe("clientKey", () => {
  it.each([
    ["198.51.100.7", "198.51.100.7"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0:0::/64"],
    ["2001:DB8:AbCd:12:1:2:3:4", "2001:db8:abcd:12::/64"],
    ["2001:db8:abcd:12::", "2001:db8:abcd:12::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["1:2::3:4:5:6:7", "1:2:0:3::/64"],
    ["1:2:3::4:5:6:7", "1:2:3:0::/64"],
    ["1:2:3:4:5:6:7::", "1:2:3:4::/64"],
    ["::2:3:4:5:6:7:8", "0:2:3:4::/64"],
    ["1:2:3:4:5:6:192.0.2.1", "1:2:3:4::/64"],
    ["1::192.0.2.1", "1:0:0:0::/64"],
    ["2001:db8:1:2:3::192.0.2.1", "2001:db8:1:2::/64"],
    ["::ffff:192.0.2.1", "0:0:0:0::/64"],
    ["64:ff9b::192.0.2.33", "64:ff9b:0:0::/64"],
  ])("keys %s as %s", (address, key) => {
    expect(clientKey(address)).toBe(key);
  });

  it("gives every address of one /64 the same key, and the next /64 another", () => {
    const keys = new Set(Array.from({ length: 400 }, (_, i) => clientKey(`2001:db8:1:2:${i.toString(16)}::${i}`)));
    expect([...keys]).toEqual(["2001:db8:1:2::/64"]);
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
  });

  it.each([
    undefined,
    "",
    "not an address",
    "2001:db8::1::2",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "12345::1",
    "::ffff:1.2.3",
    "::ffff:1.2.3.4.5",
    "1:2:3:4:5:6:7:192.0.2.1",
    "1.2.3.4::1",
    "g::1",
    "fe80::1%eth0",
    "192.0.2.1:8080",
    "1.2.3.4.5",
    "x192.0.2.1",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
  ])("counts %s as one unknown client", (address) => {
    expect(clientKey(address)).toBe("unknown");
  });
});
