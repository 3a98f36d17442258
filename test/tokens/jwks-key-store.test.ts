import { beforeAll, describe, expect, it } from "vitest";
import { createJwksKeyStore, type JwksKeyStoreOptions } from "../../src/tokens/jwks-key-store";
import { jwksOf, type ProviderKey, providerKey } from "../support/identity-provider";

const URL = "https://idp.example/.well-known/jwks.json";
let rsa: ProviderKey;
let ec: ProviderKey;
let ed: ProviderKey;
let next: ProviderKey;

beforeAll(async () => {
  [rsa, ec, ed, next] = await Promise.all([
    providerKey("RS256", "rsa-1"),
    providerKey("ES256", "ec-1"),
    providerKey("EdDSA", "ed-1"),
    providerKey("RS256", "rsa-2"),
  ]);
});

/** A provider whose answer the test sets, counting fetches; time is the test's. */
function provider(initial: () => Response) {
  let answer = initial;
  let t = 1_000_000;
  const fetches: string[] = [];
  const problems: string[] = [];
  const background: Promise<unknown>[] = [];
  const options = (extra: Partial<JwksKeyStoreOptions> = {}): JwksKeyStoreOptions => ({
    url: URL,
    now: () => t,
    fetch: async (input) => {
      fetches.push(String(input));
      return answer();
    },
    onProblem: (p) => problems.push(p),
    ...extra,
  });
  return {
    store: (extra?: Partial<JwksKeyStoreOptions>) => createJwksKeyStore(options(extra)),
    answer: (next: () => Response) => {
      answer = next;
    },
    advance: (ms: number) => {
      t += ms;
    },
    runInBackground: (work: Promise<unknown>) => {
      background.push(work);
    },
    settle: () => Promise.all(background),
    fetches,
    problems,
  };
}

/** The Cache API as a map: what was put is what matches. */
function memoryCache() {
  const cached = new Map<string, Response>();
  const cache = {
    match: async (key: RequestInfo | URL) => cached.get(String(key))?.clone(),
    put: async (key: RequestInfo | URL, res: Response) => {
      cached.set(String(key), res);
    },
  } as unknown as Pick<Cache, "match" | "put">;
  return { cached, cache };
}

const json =
  (body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json", ...headers } });

describe("the identity provider's keys", () => {
  it("load on first use, one fetch, and serve every key of the set with the algorithm it admits", async () => {
    const p = provider(json(jwksOf(rsa, ec, ed)));
    const store = p.store();
    expect(store.health()).toBe("not loaded");
    expect((await store.key("rsa-1"))?.alg).toBe("RS256");
    expect((await store.key("ec-1"))?.alg).toBe("ES256");
    expect((await store.key("ed-1"))?.alg).toBe("EdDSA");
    expect(p.fetches).toHaveLength(1);
    expect(store.health()).toBe("ok");
  });

  it("derive the algorithm of a key listed without alg from its type, and skip a key whose alg does not fit", async () => {
    const bare = await providerKey("ES256", "ec-bare", { declareAlg: false });
    const lying = { ...rsa.jwk, kid: "rsa-says-es", alg: "ES256" };
    const encryption = { ...ec.jwk, kid: "ec-enc", use: "enc" };
    const p = provider(json({ keys: [bare.jwk, lying, encryption, { kty: "oct", k: "c2VjcmV0", kid: "hmac" }] }));
    const store = p.store();
    expect((await store.key("ec-bare"))?.alg).toBe("ES256");
    p.advance(60_000);
    expect(await store.key("rsa-says-es")).toBeUndefined();
    expect(await store.key("hmac")).toBeUndefined();
    expect(p.problems).toEqual(
      expect.arrayContaining([
        "jwks key skipped: alg ES256 does not fit a RSA key",
        "jwks key skipped: use enc",
        "jwks key skipped: key type oct is not supported",
      ]),
    );
  });

  it("fetch at most once per interval for kids they do not know: a flood of invented kids costs one fetch", async () => {
    const p = provider(json(jwksOf(rsa)));
    const store = p.store({ minRefreshIntervalMs: 30_000 });
    await store.key("rsa-1");
    expect(await store.key("invented")).toBeUndefined(); // the load just now counts
    expect(p.fetches).toHaveLength(1);
    p.advance(30_000);
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => store.key(`invented-${i}`)));
    expect(flood.every((k) => k === undefined)).toBe(true);
    expect(p.fetches).toHaveLength(2);
    p.advance(29_999);
    await store.key("invented-again");
    expect(p.fetches).toHaveLength(2);
    p.advance(1);
    await store.key("invented-again");
    expect(p.fetches).toHaveLength(3);
  });

  it("let callers asking for a new kid at the same moment share one fetch, and all find the key", async () => {
    const p = provider(json(jwksOf(rsa)));
    const store = p.store();
    await store.key("rsa-1");
    p.advance(30_000);
    p.answer(json(jwksOf(rsa, next)));
    const found = await Promise.all([store.key("rsa-2"), store.key("rsa-2"), store.key("rsa-2")]);
    expect(found.map((k) => k?.kid)).toEqual(["rsa-2", "rsa-2", "rsa-2"]);
    expect(p.fetches).toHaveLength(2);
  });

  it("follow a rotation: a new kid is fetched at once; a retired one is gone after the next refresh", async () => {
    const p = provider(json(jwksOf(rsa)));
    const store = p.store();
    await store.key("rsa-1");
    p.advance(60_000);
    p.answer(json(jwksOf(rsa, next)));
    expect((await store.key("rsa-2"))?.kid).toBe("rsa-2");
    expect(store.has("rsa-1")).toBe(true);
    p.advance(60_000);
    p.answer(json(jwksOf(next)));
    expect(await store.key("rsa-1")).toBeDefined(); // still held: a refresh has not happened yet…
    expect(await store.key("rsa-3")).toBeUndefined(); // …until an unknown kid (or the copy's age) asks for one
    expect(store.has("rsa-1")).toBe(false);
    expect(await store.key("rsa-1")).toBeUndefined();
  });

  it("refresh in the background once 80 % of the provider's max-age has passed, serving the held keys meanwhile", async () => {
    const p = provider(json(jwksOf(rsa), { "Cache-Control": "public, max-age=300" }));
    const store = p.store();
    expect(store.has("rsa-1")).toBe(false);
    await store.key("rsa-1");
    p.advance(239_000);
    expect(await store.key("rsa-1", p.runInBackground)).toBeDefined();
    await p.settle();
    expect(p.fetches).toHaveLength(1);
    // Past 80 %, a caller that cannot run work in the background gets the held key, and no refresh.
    p.advance(1_000);
    expect(await store.key("rsa-1")).toBeDefined();
    expect(p.fetches).toHaveLength(1);
    p.answer(json(jwksOf(rsa, next)));
    expect(await store.key("rsa-1", p.runInBackground)).toBeDefined();
    await p.settle();
    expect(p.fetches).toHaveLength(2);
    expect(store.has("rsa-2")).toBe(true);
  });

  it("refresh a short-lived set at most once per interval, however early 80 % of its max-age comes", async () => {
    const p = provider(json(jwksOf(rsa), { "Cache-Control": "max-age=60" }));
    const store = p.store({ minRefreshIntervalMs: 120_000 });
    await store.key("rsa-1");
    p.advance(50_000);
    expect(await store.key("rsa-1", p.runInBackground)).toBeDefined();
    await p.settle();
    expect(p.fetches).toHaveLength(1);
    p.advance(70_000);
    expect(await store.key("rsa-1", p.runInBackground)).toBeDefined();
    await p.settle();
    expect(p.fetches).toHaveLength(2);
  });

  it("keep verifying with the held keys while the provider is down, refuse new kids, and call themselves stale after a long outage", async () => {
    const p = provider(json(jwksOf(rsa), { "Cache-Control": "max-age=600" }));
    const store = p.store({ staleAfterMs: 3_600_000 });
    await store.key("rsa-1");
    p.answer(() => {
      throw new TypeError("fetch failed");
    });
    p.advance(600_000);
    expect(await store.key("rsa-1", p.runInBackground)).toBeDefined();
    await p.settle();
    expect(await store.key("rsa-2")).toBeUndefined();
    expect(store.health()).toBe("ok");
    p.advance(3_600_001);
    expect(await store.key("rsa-1", p.runInBackground)).toBeDefined();
    await p.settle();
    expect(store.health()).toBe("stale");
    expect(p.problems).toContain("jwks fetch failed: TypeError");
  });

  it.each([
    ["answers 503", () => new Response("down", { status: 503 }), "jwks answered 503"],
    [
      "answers HTML",
      () => new Response("<html>login</html>", { headers: { "Content-Type": "text/html" } }),
      "jwks not json",
    ],
    ["answers JSON without keys", json({ issuer: "x" }), "jwks without keys"],
    ["lists no usable key", json({ keys: [{ kty: "oct", kid: "k" }] }), "jwks has no usable key"],
    ["answers 503 with no body", () => new Response(null, { status: 503 }), "jwks answered 503"],
    ["answers 204, no body", () => new Response(null, { status: 204 }), "jwks not json"],
    ["answers JSON null", json(null), "jwks without keys"],
    [
      "fails with something that is not an Error",
      () => {
        throw "refused";
      },
      "jwks fetch failed: error",
    ],
  ])("report a provider that %s as unavailable, and refuse every kid", async (_label, answer, problem) => {
    const p = provider(answer);
    const store = p.store();
    expect(await store.key("rsa-1")).toBeUndefined();
    expect(store.health()).toBe("unavailable");
    expect(p.problems).toContain(problem);
  });

  it("stop reading a body past the size cap, whatever it claims (a 10 MB answer)", async () => {
    let chunksPulled = 0;
    const huge = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            chunksPulled++;
            if (chunksPulled > 160) controller.close();
            else controller.enqueue(new Uint8Array(64 * 1024));
          },
        }),
      );
    const p = provider(huge);
    const store = p.store({ maxBytes: 256 * 1024 });
    expect(await store.key("rsa-1")).toBeUndefined();
    expect(p.problems).toContain("jwks too large");
    expect(chunksPulled).toBeLessThan(10);
  });

  it("give up on a provider that does not answer within the fetch deadline", async () => {
    const p = provider(json(jwksOf(rsa)));
    const store = createJwksKeyStore({
      url: URL,
      now: () => 0,
      fetchTimeoutMs: 1,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
      onProblem: (problem) => p.problems.push(problem),
    });
    expect(await store.key("rsa-1")).toBeUndefined();
    expect(p.problems).toContain("jwks fetch failed: TimeoutError");
  });

  it("start a new isolate from the Cache API's copy, without a fetch", async () => {
    const { cached, cache } = memoryCache();
    const p = provider(json(jwksOf(rsa), { "Cache-Control": "max-age=3600" }));
    await p.store({ cache }).key("rsa-1");
    expect(cached.get(URL)?.headers.get("Cache-Control")).toBe("max-age=3600");
    expect(cached.get(URL)?.headers.get("Content-Type")).toBe("application/json");
    const secondIsolate = p.store({ cache });
    expect((await secondIsolate.key("rsa-1"))?.kid).toBe("rsa-1");
    expect(p.fetches).toHaveLength(1);
  });

  it("serve on workers.dev, where the Cache API keeps nothing: each isolate fetches once and stays on its copy", async () => {
    // https://developers.cloudflare.com/workers/runtime-apis/cache/: on *.workers.dev, put and match "have no impact".
    const cache = { match: async () => undefined, put: async () => undefined } as unknown as Pick<
      Cache,
      "match" | "put"
    >;
    const p = provider(json(jwksOf(rsa), { "Cache-Control": "max-age=3600" }));
    const first = p.store({ cache });
    const second = p.store({ cache });
    for (const store of [first, second, first, second]) expect((await store.key("rsa-1"))?.kid).toBe("rsa-1");
    expect(p.fetches).toHaveLength(2);
    expect(p.problems).toEqual([]);
  });

  it.each([
    ["says nothing", {}, 600_000],
    ["says max-age=300", { "Cache-Control": "public, max-age=300" }, 300_000],
    ["says max-age=300 of a copy 100 s old", { "Cache-Control": "max-age=300", Age: "100" }, 200_000],
    ["says no-store", { "Cache-Control": "no-store" }, 60_000],
    ["says no-cache", { "Cache-Control": "no-cache, max-age=600" }, 60_000],
    ["says max-age=5 (at least a minute)", { "Cache-Control": "max-age=5" }, 60_000],
    ["says a year (at most a day)", { "Cache-Control": "max-age=31536000" }, 86_400_000],
  ])("keep a copy as long as the provider %s, refreshing after 80 % of it", async (_label, headers, lifetime) => {
    const p = provider(json(jwksOf(rsa), headers));
    const store = p.store();
    await store.key("rsa-1");
    p.advance(lifetime * 0.8 - 1);
    await store.key("rsa-1", p.runInBackground);
    expect(p.fetches).toHaveLength(1);
    p.advance(1);
    await store.key("rsa-1", p.runInBackground);
    await p.settle();
    expect(p.fetches).toHaveLength(2);
  });

  it("call a copy stale only past its lifetime plus staleAfterMs", async () => {
    const p = provider(json(jwksOf(rsa), { "Cache-Control": "max-age=600" }));
    const store = p.store({ staleAfterMs: 1_000 });
    await store.key("rsa-1");
    p.answer(() => new Response("down", { status: 503 }));
    p.advance(601_000);
    expect(store.health()).toBe("ok");
    p.advance(1);
    expect(store.health()).toBe("stale");
  });

  it("refuse a body whose Content-Length is over the cap without reading it, and read one at the cap", async () => {
    const body = JSON.stringify(jwksOf(rsa));
    let pulled = 0;
    const claimed = () =>
      new Response(
        new ReadableStream(
          {
            pull(controller) {
              pulled++;
              controller.enqueue(new TextEncoder().encode(body));
              controller.close();
            },
          },
          { highWaterMark: 0 },
        ),
        { headers: { "Content-Length": String(body.length + 1) } },
      );
    const over = provider(claimed);
    expect(await over.store({ maxBytes: body.length }).key("rsa-1")).toBeUndefined();
    expect(over.problems).toContain("jwks too large");
    expect(pulled).toBe(0);
    const exact = provider(json(jwksOf(rsa), { "Content-Length": String(body.length) }));
    expect(await exact.store({ maxBytes: body.length }).key("rsa-1")).toBeDefined();
  });

  it("read a key set that arrives in many chunks", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(jwksOf(rsa, ec)));
    const chunked = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.slice(i, i + 100));
            controller.close();
          },
        }),
      );
    const store = provider(chunked).store();
    expect((await store.key("ec-1"))?.alg).toBe("ES256");
  });

  it("skip entries that are not objects, and read no more than 100 keys", async () => {
    const withJunk = provider(json({ keys: [null, 7, "x", rsa.jwk] }));
    expect(await withJunk.store().key("rsa-1")).toBeDefined();
    expect(withJunk.problems.filter((p) => p === "jwks key skipped: not an object")).toHaveLength(3);
    const filler = Array.from({ length: 100 }, (_, i) => ({ kty: "oct", kid: `h${i}`, k: "c2VjcmV0" }));
    const tooMany = provider(json({ keys: [...filler, rsa.jwk] }));
    expect(await tooMany.store().key("rsa-1")).toBeUndefined();
    expect(tooMany.problems).toContain("jwks has no usable key");
  });

  it("ask for JSON, and say so when the Cache API refuses a copy (the keys still serve)", async () => {
    const asked: (HeadersInit | undefined)[] = [];
    const cache = {
      match: async () => undefined,
      put: async () => {
        throw new Error("quota");
      },
    } as unknown as Pick<Cache, "match" | "put">;
    const problems: string[] = [];
    const store = createJwksKeyStore({
      url: URL,
      now: () => 0,
      cache,
      onProblem: (p) => problems.push(p),
      fetch: async (_input, init) => {
        asked.push(init?.headers);
        return json(jwksOf(rsa))();
      },
    });
    expect(await store.key("rsa-1")).toBeDefined();
    expect(asked).toEqual([{ Accept: "application/json" }]);
    expect(problems).toEqual(["jwks cache put failed"]);
  });

  it("share the answer to an unknown kid through the Cache API: one fetch per interval for every isolate of a data center", async () => {
    const { cache } = memoryCache();
    const p = provider(json(jwksOf(rsa)));
    const [first, second, third] = [p.store({ cache }), p.store({ cache }), p.store({ cache })];
    for (const isolate of [first, second, third]) expect(await isolate?.key("rsa-1")).toBeDefined();
    expect(p.fetches).toHaveLength(1);

    p.advance(30_000);
    for (const isolate of [first, second, third]) expect(await isolate?.key("invented")).toBeUndefined();
    expect(p.fetches).toHaveLength(2);

    // A rotation: the isolate that meets the new kid first fetches it, the others find it in the copy.
    p.advance(30_000);
    p.answer(json(jwksOf(rsa, next)));
    for (const isolate of [first, second, third]) expect(await isolate?.key("rsa-2")).toBeDefined();
    expect(p.fetches).toHaveLength(3);

    // A copy older than the interval answers for no one: the next unknown kid asks the provider again.
    p.advance(30_000);
    expect(await second?.key("invented-again")).toBeUndefined();
    expect(p.fetches).toHaveLength(4);
  });

  it("take another isolate's newer copy only while it is younger than the interval", async () => {
    const { cache } = memoryCache();
    const p = provider(json(jwksOf(rsa)));
    const [fetcher, reader] = [p.store({ cache }), p.store({ cache })];
    await fetcher.key("rsa-1");
    await reader.key("rsa-1");
    expect(p.fetches).toHaveLength(1);
    p.advance(30_000);
    expect(await fetcher.key("invented")).toBeUndefined();
    expect(p.fetches).toHaveLength(2);
    // The reader's next unknown kid comes when that newer copy is exactly one interval old: the provider answers.
    p.advance(30_000);
    expect(await reader.key("invented-too")).toBeUndefined();
    expect(p.fetches).toHaveLength(3);
  });

  it("refresh from the provider, not from the Cache API's copy", async () => {
    const { cache } = memoryCache();
    const p = provider(json(jwksOf(rsa)));
    const store = p.store({ cache });
    await store.key("rsa-1");
    p.advance(60_000);
    p.answer(json(jwksOf(rsa, next)));
    expect(await store.key("rsa-2")).toBeDefined();
    expect(p.fetches).toHaveLength(2);
  });
});
