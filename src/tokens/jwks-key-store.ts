import { importSigningKey, type SigningKey } from "./signing-key";

/**
 * An identity provider's signing keys (its JWKS), kept per isolate and in the Cache API, refreshed the
 * way careful clients do:
 * - the provider's `Cache-Control: max-age` decides how long a copy is good (clamped to 1 min – 24 h,
 *   10 min when it says nothing); after 80 % of that, the next request refreshes in the background;
 * - an unknown `kid` (a rotation) fetches at once, but at most once per `minRefreshIntervalMs`: a flood
 *   of invented `kid`s costs one fetch, not one per request;
 * - each fetch has its own deadline and a size cap, and must be a JSON key set;
 * - a failed fetch keeps the keys held: they go on verifying, and a `kid` they lack is refused (401).
 * The Cache API copy lets a new isolate start without a fetch, and holds the answer to an unknown `kid` for
 * every isolate of the data center: one that fetched within `minRefreshIntervalMs` answers for all, so a
 * flood of invented `kid`s costs one fetch per interval per data center, not per isolate, and a new key one
 * isolate fetched is found by the others without a fetch. On workers.dev the Cache API stores nothing
 * (https://developers.cloudflare.com/workers/runtime-apis/cache/), and each isolate fetches for itself.
 */
export interface JwksKeyStoreOptions {
  url: string;
  /** Milliseconds since the epoch. */
  now: () => number;
  fetch?: typeof fetch;
  /** The Cache API (`caches.default`); absent where there is none. */
  cache?: Pick<Cache, "match" | "put">;
  /** A refresh failed or a key was skipped: a code and a count, never the keys or the answer. */
  onProblem?: (problem: string) => void;
  fetchTimeoutMs?: number;
  maxBytes?: number;
  minRefreshIntervalMs?: number;
  /** How long past its expiry a copy may serve before health() calls it stale. */
  staleAfterMs?: number;
}

export type KeysHealth = "ok" | "stale" | "not loaded" | "unavailable";

export interface KeyLookup {
  /** The key with this id, fetching if it is unknown (rate-limited) or the copy is old (in the background). */
  key(kid: string, background?: (work: Promise<unknown>) => void): Promise<SigningKey | undefined>;
  /** Whether the key is still in the set held now (a rotation may have retired it). */
  has(kid: string): boolean;
  health(): KeysHealth;
}

const MIN_MAX_AGE_MS = 60_000;
const MAX_MAX_AGE_MS = 86_400_000;
const DEFAULT_MAX_AGE_MS = 600_000;
const MAX_KEYS = 100;

class JwksProblem extends Error {}

/** max-age (minus Age, for a cached copy) in milliseconds, clamped; the default when absent. */
function lifetimeMs(headers: Headers): number {
  const cacheControl = headers.get("Cache-Control") ?? "";
  if (/\bno-(store|cache)\b/i.test(cacheControl)) return MIN_MAX_AGE_MS;
  const maxAge = /\bmax-age=(\d+)/i.exec(cacheControl)?.[1];
  if (maxAge === undefined) return DEFAULT_MAX_AGE_MS;
  const age = Number(headers.get("Age") ?? 0) || 0;
  return Math.min(MAX_MAX_AGE_MS, Math.max(MIN_MAX_AGE_MS, (Number(maxAge) - age) * 1000));
}

/** The body as text, refusing more than `maxBytes` whatever Content-Length claims. */
async function boundedText(res: Response, maxBytes: number): Promise<string> {
  if (Number(res.headers.get("Content-Length") ?? 0) > maxBytes) throw new JwksProblem("jwks too large");
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new JwksProblem("jwks too large");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function parseKeySet(text: string, onProblem: (p: string) => void): Promise<Map<string, SigningKey>> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new JwksProblem("jwks not json");
  }
  const list = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new JwksProblem("jwks without keys");
  const keys = new Map<string, SigningKey>();
  for (const jwk of list.slice(0, MAX_KEYS)) {
    const imported =
      jwk !== null && typeof jwk === "object" ? await importSigningKey(jwk) : { skipped: "not an object" };
    if ("skipped" in imported) onProblem(`jwks key skipped: ${imported.skipped}`);
    else keys.set(imported.kid, imported);
  }
  if (keys.size === 0) throw new JwksProblem("jwks has no usable key");
  return keys;
}

interface KeySetAnswer {
  text: string;
  /** How long it is good for, from its Cache-Control. */
  lifetime: number;
  /** When it was fetched from the provider (milliseconds since the epoch; whole seconds for a copy). */
  fetchedAt: number;
}

/**
 * Where a key set comes from: the provider (a bounded, timed fetch whose answer is copied into the Cache
 * API), or, for a new isolate, the Cache API's copy.
 */
function keySetSource({
  url,
  send,
  cache,
  onProblem,
  fetchTimeoutMs,
  maxBytes,
  now,
}: Required<Pick<JwksKeyStoreOptions, "url" | "onProblem" | "fetchTimeoutMs" | "maxBytes" | "now">> & {
  send: typeof fetch;
  cache: JwksKeyStoreOptions["cache"];
}) {
  return {
    async fromNetwork(): Promise<KeySetAnswer> {
      const res = await send(url, {
        headers: { Accept: "application/json" },
        signal: AbortSignal.timeout(fetchTimeoutMs),
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new JwksProblem(`jwks answered ${res.status}`);
      }
      const text = await boundedText(res, maxBytes);
      const lifetime = lifetimeMs(res.headers);
      const fetchedAt = now();
      const copy = new Response(text, {
        headers: {
          "Content-Type": "application/json",
          "Cache-Control": `max-age=${Math.floor(lifetime / 1000)}`,
          Date: new Date(fetchedAt).toUTCString(),
        },
      });
      await cache?.put(url, copy).catch(() => onProblem("jwks cache put failed"));
      return { text, lifetime, fetchedAt };
    },
    async fromCache(): Promise<KeySetAnswer | undefined> {
      const hit = await cache?.match(url).catch(() => undefined);
      if (!hit) return undefined;
      const fetchedAt = Date.parse(hit.headers.get("Date") ?? "");
      return { text: await hit.text(), lifetime: lifetimeMs(hit.headers), fetchedAt: fetchedAt || 0 };
    },
  };
}

/** What the log may say of a failed load: our own reason, or the error's class. */
const problemOf = (err: unknown) =>
  err instanceof JwksProblem ? err.message : `jwks fetch failed: ${err instanceof Error ? err.name : "error"}`;

/**
 * Whether the Cache API's copy answers: always for a new isolate; for a refresh, only when another isolate
 * fetched it within the interval (it is newer than the held one), else the provider is asked.
 */
const sharedCopyAnswers = (shared: KeySetAnswer, heldFetchedAt: number | undefined, now: number, interval: number) =>
  heldFetchedAt === undefined || (shared.fetchedAt > heldFetchedAt && now - shared.fetchedAt < interval);

export function createJwksKeyStore({
  url,
  now,
  fetch: send = fetch,
  cache,
  onProblem = () => {},
  fetchTimeoutMs = 3_000,
  maxBytes = 256 * 1024,
  minRefreshIntervalMs = 30_000,
  staleAfterMs = 3_600_000,
}: JwksKeyStoreOptions): KeyLookup {
  const source = keySetSource({ url, send, cache, onProblem, fetchTimeoutMs, maxBytes, now });
  let held: { keys: Map<string, SigningKey>; loadedAt: number; fetchedAt: number; lifetime: number } | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  async function load(): Promise<void> {
    try {
      const shared = await source.fromCache();
      const answer =
        shared && sharedCopyAnswers(shared, held?.fetchedAt, now(), minRefreshIntervalMs)
          ? shared
          : await source.fromNetwork();
      const keys = await parseKeySet(answer.text, onProblem);
      held = { keys, loadedAt: now(), fetchedAt: answer.fetchedAt, lifetime: answer.lifetime };
    } catch (err) {
      onProblem(problemOf(err));
    }
  }

  function refresh(): Promise<void> {
    if (!inFlight) {
      lastAttemptAt = now();
      inFlight = load().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  const mayFetch = () => inFlight !== undefined || now() - lastAttemptAt >= minRefreshIntervalMs;

  return {
    async key(kid, background) {
      if (held && now() - held.loadedAt >= held.lifetime * 0.8 && mayFetch()) {
        background?.(refresh());
      }
      // Unknown (or nothing loaded yet): fetch now, or join the fetch under way, at most once per interval.
      const found = held?.keys.get(kid);
      if (found || !mayFetch()) return found;
      await refresh();
      return held?.keys.get(kid);
    },
    has: (kid) => held?.keys.has(kid) ?? false,
    health() {
      if (!held) return lastAttemptAt > Number.NEGATIVE_INFINITY ? "unavailable" : "not loaded";
      return now() - held.loadedAt > held.lifetime + staleAfterMs ? "stale" : "ok";
    },
  };
}
