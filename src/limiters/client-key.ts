/**
 * The key a client is counted under before it is known: its address, and for IPv6 its /64. Every
 * IPv6 subscriber is given at least a /64 (RFC 6177), so counting whole addresses would give one
 * client 2^64 budgets. Anything that is not an address (the header is absent locally when no
 * client address is known) counts as one "unknown" client.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  if (DOTTED_QUAD.test(address)) return address;
  const groups = ipv6Groups(address.toLowerCase());
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : "unknown";
}

const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;
const GROUP = /^[0-9a-f]{1,4}$/;

/**
 * The eight 16-bit groups of an IPv6 address, without leading zeros; null if it is not one. An
 * embedded IPv4 address (`::ffff:192.0.2.1`) stands for the last two groups: it is checked for
 * its form and counted, but never reaches the /64.
 */
function ipv6Groups(text: string): string[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const [head = [], tail] = halves.map((half) => (half === "" ? [] : half.split(":")));
  const parts = [...head, ...(tail ?? [])];
  const embedded = parts.at(-1)?.includes(".") ? 1 : 0;
  if (embedded && !DOTTED_QUAD.test(parts.at(-1) ?? "")) return null;
  if (parts.slice(0, parts.length - embedded).some((g) => !GROUP.test(g))) return null;
  const missing = 8 - parts.length - embedded;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const zeros = Array<string>(tail === undefined ? 0 : missing).fill("0");
  return [...head, ...zeros, ...(tail ?? [])].map((g) => (GROUP.test(g) ? Number.parseInt(g, 16).toString(16) : g));
}
