import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { deployedCompatibility } from "../../bench/compatibility.ts";
import { bindingLimit, writeDevWranglerConfig } from "../../dev/wrangler-config.ts";
import { HOURLY } from "../../src/cron-schedule.ts";
import { isDeadLetterQueue, isSlowLane, RETRY_DELAYS_S } from "../../src/services/event-messages.ts";

type Raw = {
  vars?: Record<string, string>;
  triggers?: { crons: string[] };
  queues?: {
    producers?: { binding: string; queue: string }[];
    consumers?: { queue: string; max_concurrency?: number; max_retries?: number; dead_letter_queue?: string }[];
  };
  ratelimits?: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
  env?: Record<string, Raw>;
};
const { rawConfig } = experimental_readRawConfig({ config: "wrangler.toml" }) as { rawConfig: Raw };
const environments: [string, Raw][] = [["top level", rawConfig], ...Object.entries(rawConfig.env ?? {})];

describe("wrangler.toml's rate limits", () => {
  it.each(environments)("%s: RATE_LIMIT_IP / RATE_LIMIT_USER say what its bindings count", (_name, config) => {
    const simple = (name: string) => config.ratelimits?.find((r) => r.name === name)?.simple;
    expect(bindingLimit("RATE_LIMIT_IP", config.vars?.RATE_LIMIT_IP ?? "")).toEqual(simple("IP_RATE_LIMITER"));
    expect(bindingLimit("RATE_LIMIT_USER", config.vars?.RATE_LIMIT_USER ?? "")).toEqual(simple("USER_RATE_LIMITER"));
  });

  it("gives every environment namespaces of its own", () => {
    const ids = environments.flatMap(([, config]) => (config.ratelimits ?? []).map((r) => r.namespace_id));
    expect(ids).toHaveLength(2 * environments.length);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("wrangler.toml's environments", () => {
  it("declare the same vars as the top level, and no secret as a var (wrangler warns of both)", () => {
    const names = (config: Raw) => Object.keys(config.vars ?? {}).sort();
    for (const [, config] of environments) expect(names(config)).toEqual(names(rawConfig));
    for (const secret of ["JWT_SECRET", "DATABASE_URL", "METRICS_TOKEN", "JWT_SECRET_PREVIOUS", "SMOKE_SECRET"]) {
      expect(names(rawConfig)).not.toContain(secret);
    }
  });

  it("run the hourly sweep and housekeeping where events are delivered, and nothing every minute", () => {
    // A run every minute would keep an idle Neon compute from ever scaling to zero (src/cron-schedule.ts).
    for (const [name, config] of environments.filter(([name]) => name !== "preview")) {
      expect(config.triggers?.crons, name).toEqual([HOURLY]);
    }
  });

  it("bound every queue consumer's concurrency: unset, Queues scales it to its maximum", () => {
    const consumers = environments.flatMap(([name, config]) =>
      (config.queues?.consumers ?? []).map((c) => [name, c] as const),
    );
    expect(consumers.map(([name]) => name)).toEqual(
      ["top level", "staging", "production"].flatMap((name) => [name, name, name]),
    );
    for (const [name, consumer] of consumers) {
      expect(consumer.max_concurrency, name).toBeGreaterThanOrEqual(1);
      expect(consumer.max_concurrency, name).toBeLessThanOrEqual(10);
    }
  });

  it("retry an events message through the receiver's schedule and as many of our own failures, then dead-letter it", () => {
    for (const [name, config] of environments.filter(([name]) => name !== "preview")) {
      const events = (config.queues?.consumers ?? []).filter((c) => c.dead_letter_queue);
      for (const c of events)
        expect((c as { max_retries?: number }).max_retries, name).toBe(2 * RETRY_DELAYS_S.length + 1);
    }
  });

  it("consume every dead-letter queue (Queues deletes an unconsumed dead letter after four days), named -dlq", () => {
    for (const [name, config] of environments.filter(([name]) => name !== "preview")) {
      const consumers = config.queues?.consumers ?? [];
      const deadLetterQueues = [
        ...new Set(consumers.flatMap((c) => (c.dead_letter_queue ? [c.dead_letter_queue] : []))),
      ];
      expect(deadLetterQueues, name).toHaveLength(1);
      for (const dlq of deadLetterQueues) {
        expect(isDeadLetterQueue(dlq), name).toBe(true);
        expect(
          consumers.map((c) => c.queue),
          name,
        ).toContain(dlq);
      }
      for (const c of consumers.filter((c) => !deadLetterQueues.includes(c.queue))) {
        expect(isDeadLetterQueue(c.queue), name).toBe(false);
      }
    }
  });

  it("give the events queue a slow lane named -slow, produced to and consumed like it, dead letters to the same queue", () => {
    for (const [name, config] of environments.filter(([name]) => name !== "preview")) {
      const queueOf = (binding: string) => config.queues?.producers?.find((p) => p.binding === binding)?.queue ?? "";
      const [events, slow] = [queueOf("EVENTS_QUEUE"), queueOf("WEBHOOKS_SLOW_QUEUE")];
      expect(slow, name).toBe(`${events}-slow`);
      expect([isSlowLane(events), isSlowLane(slow), isDeadLetterQueue(slow)], name).toEqual([false, true, false]);
      const consumerOf = (queue: string) => config.queues?.consumers?.find((c) => c.queue === queue);
      // Batching, retries and dead letters as the events queue's; its own concurrency, bounded by the test above.
      const { queue: _e, max_concurrency: _c, ...eventsSettings } = consumerOf(events) ?? {};
      const { queue: _s, max_concurrency: _d, ...slowSettings } = consumerOf(slow) ?? {};
      expect(slowSettings, name).toEqual(eventsSettings);
    }
  });

  it("give the top level a name no deployed environment has: a deploy without --env reaches nothing", () => {
    const deployed = Object.values(rawConfig.env ?? {}).map((c) => (c as { name?: string }).name);
    expect(deployed).not.toContain((rawConfig as { name?: string }).name);
  });
});

describe("npm run dev's wrangler config", () => {
  it("takes the bindings' limits from RATE_LIMIT_IP / RATE_LIMIT_USER, with absolute paths", () => {
    const file = writeDevWranglerConfig(
      { RATE_LIMIT_IP: "20/10s", RATE_LIMIT_USER: "7/60s" },
      mkdtempSync(join(tmpdir(), "dev-config-")),
    );
    const written = JSON.parse(readFileSync(file, "utf8")) as Raw & { main: string; assets: { directory: string } };
    expect(written.ratelimits?.map((r) => [r.name, r.simple])).toEqual([
      ["IP_RATE_LIMITER", { limit: 20, period: 10 }],
      ["USER_RATE_LIMITER", { limit: 7, period: 60 }],
    ]);
    expect(isAbsolute(written.main) && isAbsolute(written.assets.directory)).toBe(true);
    expect(written.env).toBeUndefined();
  });

  it("keeps wrangler.toml's limits when the settings say nothing", () => {
    const file = writeDevWranglerConfig({}, mkdtempSync(join(tmpdir(), "dev-config-")));
    expect((JSON.parse(readFileSync(file, "utf8")) as Raw).ratelimits).toEqual(rawConfig.ratelimits);
  });

  it.each(["5/3600s", "5/30s", "0/60s", "ten/60s", "5/60"])("refuses %s, naming the setting", (value) => {
    expect(() => bindingLimit("RATE_LIMIT_USER", value)).toThrow(/^RATE_LIMIT_USER=.*10s.*60s/);
  });
});

describe("wrangler.toml's compatibility settings, in workerd", () => {
  // What a worker sees of Node at the deployed date and flags: AsyncLocalStorage, and no `process`
  // global (whose stdio the Neon driver builds at load when it is there).
  it("give AsyncLocalStorage and none of the rest of the Node API", async () => {
    const { compatibilityDate, compatibilityFlags } = deployedCompatibility();
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        compatibilityDate,
        compatibilityFlags,
        script: `import { AsyncLocalStorage } from "node:async_hooks";
          const scope = new AsyncLocalStorage();
          export default { fetch: () => Response.json({
            store: scope.run(7, () => scope.getStore()),
            process: typeof globalThis.process,
            buffer: typeof globalThis.Buffer,
          }) };`,
      }),
    );
    try {
      const seen = await (await mf.dispatchFetch("http://localhost/")).json();
      expect(seen).toEqual({ store: 7, process: "undefined", buffer: "undefined" });
    } finally {
      await mf.dispose();
    }
  });
});
