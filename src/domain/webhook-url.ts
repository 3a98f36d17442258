/**
 * Which URLs a webhook may be delivered to. A webhook makes this service send requests wherever an
 * admin points it, so the rules close the usual server-side request forgery routes: https only
 * (deployed), no credentials in the URL, no IP literal in a loopback, private, link-local, shared,
 * multicast or metadata range, and no `localhost`-like name. `allowLocal` admits
 * `http://127.0.0.1:<port>` (and `[::1]`) for receivers on this machine: `npm run dev` and the tests.
 * Names are not resolved here (Workers cannot): a public name that resolves to a private address is
 * refused by Cloudflare's network, which does not route a Worker's fetch to private ranges.
 */
export function webhookUrlProblem(text: string, { allowLocal }: { allowLocal: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  if (url.hash) return "must not have a fragment";
  // Every trailing dot goes: `localhost..` is `localhost` to a resolver.
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  if (allowLocal && (host === "127.0.0.1" || host === "[::1]") && /^https?:$/.test(url.protocol)) return undefined;
  if (url.protocol !== "https:") return allowLocal ? "must be https (or http://127.0.0.1 locally)" : "must be https";
  const literal = host.startsWith("[") || ipv4(host) !== undefined;
  if (literal && isBlockedAddress(host)) return "must not be a loopback, private, link-local or metadata address";
  if (!literal && isLocalName(host)) return "must not name this machine or a local network";
  if (url.port && Number(url.port) < 1024) return "must use port 443, or a port from 1024 up";
  return undefined;
}

/** Names that stay inside a network: RFC 6762 appendix G's, RFC 8375's, and a cluster's service names. */
const LOCAL_SUFFIXES = [
  ".localhost",
  ".local",
  ".internal",
  ".localdomain",
  ".home.arpa",
  ".lan",
  ".intranet",
  ".private",
  ".corp",
  ".home",
  ".svc",
];

function isLocalName(name: string): boolean {
  return name === "localhost" || !name.includes(".") || LOCAL_SUFFIXES.some((s) => name.endsWith(s));
}

/** IPv4 ranges no webhook may reach: RFC 6890's special-purpose blocks that are not the public internet. */
const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // private
  [0x64400000, 10], // shared address space (carrier-grade NAT)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, broadcast
];

function ipv4(host: string): number | undefined {
  // WHATWG URL parsing already turned 0x7f.1, 2130706433 and 127.1 into dotted decimal.
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const inV4 = (address: number) =>
  BLOCKED_V4.some(([base, bits]) => Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));

/** An IPv6 literal as its eight groups (the URL parser wrote it in its shortest form, IPv4 tail as hex). */
function groupsOf(v6: string): number[] | undefined {
  const [head = "", tail, extra] = v6.split("::");
  if (extra !== undefined) return undefined;
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const [left, right] = [parse(head), parse(tail ?? "")];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * IPv6: only global unicast (2000::/3, RFC 4291) is a place on the internet, and within it the
 * special-purpose blocks of IANA's registry are not: IETF protocol assignments (2001::/23, RFC 2928; Teredo's
 * 2001::/32 in it, RFC 4380), documentation (2001:db8::/32, RFC 3849; 3fff::/20, RFC 9637). 6to4 (2002::/16,
 * RFC 3056) is refused when the IPv4 address it carries is. Everything outside 2000::/3 is refused with it:
 * loopback, unspecified, IPv4-mapped, -compatible and -translated (::/96, ::ffff:0:0/96, ::ffff:0:0:0/96),
 * NAT64 (64:ff9b::/96 RFC 6052, 64:ff9b:1::/48 RFC 8215), discard (100::/64, RFC 6666), ULA, link-local,
 * site-local, multicast, and SRv6 (5f00::/16, RFC 9602).
 */
function isBlockedV6(v6: string): boolean {
  const g = groupsOf(v6);
  if (!g) return true;
  const [first = 0, second = 0, third = 0] = g;
  if (first < 0x2000 || first > 0x3fff) return true;
  if (first === 0x2001 && (second < 0x0200 || second === 0x0db8)) return true;
  if (first === 0x3fff && second < 0x1000) return true;
  return first === 0x2002 && inV4(second * 65536 + third);
}

function isBlockedAddress(host: string): boolean {
  const v4 = ipv4(host);
  if (v4 !== undefined) return inV4(v4);
  return host.startsWith("[") ? isBlockedV6(host.slice(1, -1)) : false;
}
