/**
 * The key a client is counted under before it is known: its address, and for IPv6 its /64. Every
 * IPv6 subscriber is given at least a /64 (RFC 6177), so counting whole addresses would give one
 * client 2^64 budgets. Anything that is not an address (the header is absent locally when no
 * client address is known) counts as one "unknown" client.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return address;
  const groups = ipv6Groups(address);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : "unknown";
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros; null if not one. */
function ipv6Groups(address: string): string[] | null {
  const text = address.toLowerCase().replace(/%.*$/, "");
  if (!/^[0-9a-f:.]+$/.test(text) || text.split("::").length > 2) return null;
  const [head = "", tail] = text.split("::");
  const parts = (s: string) => (s === "" ? [] : s.split(":"));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const last = (tail === undefined ? left : right).at(-1);
  // An embedded IPv4 address (::ffff:192.0.2.1) stands for the last two groups.
  if (last?.includes(".")) {
    const v4 = last.split(".").map(Number);
    if (v4.length !== 4 || v4.some((n) => !(n >= 0 && n <= 255))) return null;
    const owner = tail === undefined ? left : right;
    owner.splice(
      -1,
      1,
      ((v4[0] ?? 0) * 256 + (v4[1] ?? 0)).toString(16),
      ((v4[2] ?? 0) * 256 + (v4[3] ?? 0)).toString(16),
    );
  }
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
