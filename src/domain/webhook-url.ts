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
  const host = url.hostname.toLowerCase();
  if (allowLocal && (host === "127.0.0.1" || host === "[::1]") && /^https?:$/.test(url.protocol)) return undefined;
  if (url.protocol !== "https:") return allowLocal ? "must be https (or http://127.0.0.1 locally)" : "must be https";
  const literal = host.startsWith("[") || ipv4(host) !== undefined;
  if (literal && isBlockedAddress(host)) return "must not be a loopback, private, link-local or metadata address";
  if (!literal && isLocalName(host)) return "must not name this machine or a local network";
  return undefined;
}

const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan"];

function isLocalName(host: string): boolean {
  const name = host.replace(/\.$/, "");
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

function isBlockedAddress(host: string): boolean {
  const v4 = ipv4(host);
  if (v4 !== undefined) return inV4(v4);
  if (!host.startsWith("[")) return false;
  const v6 = host.slice(1, -1);
  // IPv4-mapped (::ffff:a.b.c.d, which URL writes as ::ffff:7f00:1) and NAT64 (64:ff9b::/96) carry an IPv4 address.
  const mapped = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped) return inV4(Number.parseInt(mapped[1] ?? "0", 16) * 65536 + Number.parseInt(mapped[2] ?? "0", 16));
  // Unspecified, loopback, unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10), multicast (ff00::/8).
  return v6 === "::" || v6 === "::1" || /^(f[cd][0-9a-f]{2}|fe[89a-f][0-9a-f]|ff[0-9a-f]{2}):/.test(v6);
}
