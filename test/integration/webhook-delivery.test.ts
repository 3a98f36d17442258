import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { GAVE_UP_ERROR } from "../../src/consumers/dead-letter-consumer";
import { HOURLY } from "../../src/cron-schedule";
import { RETRY_DELAYS_S } from "../../src/services/event-messages";
import { RESWEEP_AFTER_MS, SWEEP_AFTER_MS } from "../../src/services/event-sweep";
import { MAX_RETRY_DELAY_S } from "../../src/services/retry-policy";
import { PREVIOUS_SECRET_TTL_MS } from "../../src/services/webhook-endpoint-service";
import { liveApp } from "../support/live-app";
import { recordingQueue } from "../support/recording-queue";
import { bearer, token } from "../support/tokens";
import { consume, receiver } from "../support/webhooks";

const json = (t: string) => ({ ...bearer(t), "Content-Type": "application/json" });
const order = JSON.stringify({ currency: "USD", items: [{ sku: "HOOK-1", quantity: 1, unit_price: 1200 }] });

async function setUp() {
  const recorder = recordingQueue();
  let now = Date.now();
  const live = await liveApp({}, { eventQueue: recorder.queue, clock: () => now });
  const admin = await token({ role: "admin" });
  const register = async (url: string, events = ["order.created", "order.status_changed"]) => {
    const res = await live.request("/v1/webhook-endpoints", {
      method: "POST",
      headers: json(admin),
      body: JSON.stringify({ url, events }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { id: string; secret: string } }).data;
  };
  /** A token issued at the app's clock, which the tests move on by days. */
  const tokenNow = (role?: "admin") => {
    const iat = Math.floor(now / 1000);
    return token({ ...(role ? { role } : {}), claims: { iat, exp: iat + 3600 } });
  };
  const createOrder = async () => {
    const res = await live.request("/v1/orders", { method: "POST", headers: json(await tokenNow()), body: order });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  };
  /** The event messages handed over, fanned out: the delivery messages they made. */
  const fanOut = async () => {
    const events = recorder.take();
    expect(events.every((m) => m.kind === "event")).toBe(true);
    await consume(
      live.isolate,
      events.map((body) => ({ body })),
    );
    return recorder.take();
  };
  const clock = { advance: (ms: number) => (now += ms) };
  return { ...live, recorder, admin, register, createOrder, fanOut, clock, tokenNow };
}

describe("webhook delivery", () => {
  it("hands the event over after the answer, fans it out to its endpoints, and delivers it signed", async () => {
    const { register, createOrder, fanOut, isolate, recorder, request, admin } = await setUp();
    const hook = receiver("signed");
    const endpoint = await register(hook.url);
    const other = await register(receiver("status-only").url, ["order.status_changed"]);
    const disabled = await register(receiver("disabled").url);
    await request(`/v1/webhook-endpoints/${disabled.id}`, {
      method: "PATCH",
      headers: json(admin),
      body: JSON.stringify({ disabled: true }),
    });

    const orderId = await createOrder();
    const deliveries = await fanOut();
    expect(deliveries).toEqual([expect.objectContaining({ kind: "delivery", endpoint: endpoint.id })]);
    expect(deliveries.some((d) => d.kind === "delivery" && d.endpoint === other.id)).toBe(false);

    const result = await consume(
      isolate,
      deliveries.map((body) => ({ body })),
    );
    expect(result.explicitAcks).toEqual(["m0"]);
    const [got] = await hook.received();
    // What a receiver using the standardwebhooks library does, unchanged.
    const payload = new Webhook(endpoint.secret).verify(got?.body ?? "", got?.headers ?? {}) as {
      id: string;
      type: string;
      data: { order_id: string; order: { id: string } };
    };
    expect(payload).toMatchObject({ type: "order.created", data: { order_id: orderId, order: { id: orderId } } });
    expect(got?.headers["webhook-id"]).toBe(payload.id);
    expect(recorder.sent).toEqual([]);

    const attempts = (await (
      await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, { headers: bearer(admin) })
    ).json()) as {
      data: { event_id: string; outcome: string; status_code: number; attempt: number; next_attempt_at: null }[];
    };
    expect(attempts.data).toEqual([
      expect.objectContaining({
        event_id: payload.id,
        outcome: "delivered",
        status_code: 200,
        attempt: 1,
        next_attempt_at: null,
      }),
    ]);
  });

  it("posts a delivery handed over twice once: a copy waits for the attempt due, and a delivered one is done", async () => {
    const { register, createOrder, fanOut, isolate, clock } = await setUp();
    const hook = receiver("copied");
    await register(hook.url);
    await hook.answers(500);
    await createOrder();
    const [delivery] = await fanOut();
    // The event fanned out twice (the sweep handed it over while its fan-out waited to retry): two copies.
    expect((await consume(isolate, [{ body: delivery }])).retryMessages).toEqual([{ msgId: "m0" }]);
    expect((await consume(isolate, [{ body: delivery }])).retryMessages).toEqual([{ msgId: "m0" }]);
    expect(await hook.received()).toHaveLength(1);
    // When it is due, one of them makes attempt 2; the other, after it, has nothing left to do.
    await hook.answers(200);
    clock.advance(RETRY_DELAYS_S[1] * 2_000);
    expect((await consume(isolate, [{ body: delivery }])).explicitAcks).toEqual(["m0"]);
    expect((await consume(isolate, [{ body: delivery }])).explicitAcks).toEqual(["m0"]);
    expect(await hook.received()).toHaveLength(2);
  });

  it("retries a failing endpoint with growing delays, then gives up on it, visible as failed", async () => {
    const { register, createOrder, fanOut, isolate, request, clock, tokenNow } = await setUp();
    const hook = receiver("failing");
    await hook.answers(500);
    const endpoint = await register(hook.url);
    await createOrder();
    const [delivery] = await fanOut();

    const attempts = RETRY_DELAYS_S.length + 1;
    type Listed = {
      outcome: string;
      attempt: number;
      status_code: number;
      attempted_at: string;
      next_attempt_at: string | null;
    };
    // The newest attempt is the highest numbered.
    const newest = async () =>
      (
        (await (
          await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=100`, {
            headers: bearer(await tokenNow("admin")),
          })
        ).json()) as { data: Listed[] }
      ).data.sort((a, b) => b.attempt - a.attempt)[0];
    // The next attempt is due its schedule's delay after this one, give or take the jitter's fifth, never
    // past the queue's 12 h, and shown on the newest attempt only; the clock moves on to it each time.
    const delays: (number | null)[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const result = await consume(isolate, [{ body: delivery, attempts: attempt }]);
      // Retried with its schedule's delay each time, and after the last attempt given up on (acked, failed).
      if (attempt < attempts) expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
      else expect(result.explicitAcks).toEqual(["m0"]);
      const last = await newest();
      const delay = last?.next_attempt_at ? Date.parse(last.next_attempt_at) - Date.parse(last.attempted_at) : null;
      delays.push(delay === null ? null : delay / 1000);
      clock.advance(delay ?? 0);
    }
    const received = await hook.received();
    expect(received).toHaveLength(attempts);
    // The same webhook-id on every attempt, so the receiver can drop repeats.
    expect(new Set(received.map((d) => d.headers["webhook-id"])).size).toBe(1);

    const res = await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=100`, {
      headers: bearer(await tokenNow("admin")),
    });
    const listed = ((await res.json()) as { data: Listed[] }).data.sort((a, b) => a.attempt - b.attempt);
    expect(listed.map((a) => a.attempt)).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
    expect(listed.every((a) => a.next_attempt_at === null)).toBe(true);
    expect(delays.at(-1)).toBeNull();
    RETRY_DELAYS_S.forEach((scheduled, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(Math.round(scheduled * 0.8));
      expect(delays[i]).toBeLessThanOrEqual(Math.min(MAX_RETRY_DELAY_S, Math.round(scheduled * 1.2)));
    });
    expect(listed.at(-1)).toMatchObject({ outcome: "failed", status_code: 500 });
    expect(new Set(listed.slice(0, -1).map((a) => a.outcome))).toEqual(new Set(["retrying"]));
  });

  it("never follows a redirect, and retries it", async () => {
    const { register, createOrder, fanOut, isolate } = await setUp();
    const hook = receiver("redirects");
    const target = receiver("redirect-target");
    await hook.answers(307, target.url);
    await register(hook.url);
    await createOrder();
    const result = await consume(
      isolate,
      (await fanOut()).map((body) => ({ body })),
    );
    expect(result.retryMessages).toEqual([{ msgId: "m0" }]);
    expect(await target.received()).toEqual([]);
  });

  it("disables an endpoint whose receiver answers 410 Gone, and delivers nothing more to it", async () => {
    const { register, createOrder, fanOut, isolate, request, admin } = await setUp();
    const hook = receiver("gone");
    await hook.answers(410);
    const endpoint = await register(hook.url);
    await createOrder();
    const [delivery] = await fanOut();
    expect((await consume(isolate, [{ body: delivery }])).explicitAcks).toEqual(["m0"]);
    const now = (await (await request(`/v1/webhook-endpoints/${endpoint.id}`, { headers: bearer(admin) })).json()) as {
      data: { disabled: boolean; disabled_reason: string };
    };
    expect(now.data).toMatchObject({ disabled: true, disabled_reason: "the receiver answered 410 Gone" });
    // A delivery still queued for it is dropped, and new events are not fanned out to it.
    expect((await consume(isolate, [{ body: delivery, attempts: 2 }])).explicitAcks).toEqual(["m0"]);
    expect(await hook.received()).toHaveLength(1);
    await createOrder();
    expect(await fanOut()).toEqual([]);
  });

  it("sends an endpoint the events from its creation on, not those of orders made before it", async () => {
    const { register, createOrder, fanOut, clock } = await setUp();
    await createOrder();
    clock.advance(1);
    const endpoint = await register(receiver("late-comer").url);
    expect(await fanOut()).toEqual([]);
    await createOrder();
    expect(await fanOut()).toEqual([expect.objectContaining({ kind: "delivery", endpoint: endpoint.id })]);
  });

  it("keeps every secret of two rotations a day signing, until the admin ends them (a leak)", async () => {
    const { register, createOrder, fanOut, isolate, request, admin } = await setUp();
    const hook = receiver("rotated-twice");
    const endpoint = await register(hook.url);
    const rotate = async (body?: unknown) => {
      const res = await request(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
        method: "POST",
        headers: { ...bearer(admin), ...(body ? { "Content-Type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { secret: string } }).data.secret;
    };
    const [s1, s2, s3] = [endpoint.secret, await rotate(), await rotate()];
    await createOrder();
    const [delivery] = await fanOut();
    await consume(isolate, [{ body: delivery }]);
    const s4 = await rotate({ expire_previous: "now" });
    await createOrder();
    const [next] = await fanOut();
    await consume(isolate, [{ body: next }]);

    const [both, leaked] = await hook.received();
    expect(both?.headers["webhook-signature"]?.split(" ")).toHaveLength(3);
    for (const key of [s1, s2, s3]) expect(new Webhook(key).verify(both?.body ?? "", both?.headers ?? {})).toBeTruthy();
    expect(leaked?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(new Webhook(s4).verify(leaked?.body ?? "", leaked?.headers ?? {})).toBeTruthy();
    for (const key of [s1, s2, s3]) {
      expect(() => new Webhook(key).verify(leaked?.body ?? "", leaked?.headers ?? {})).toThrow();
    }
  });

  it("signs with both secrets for 24 h after a rotation, then with the new one only", async () => {
    const { register, createOrder, fanOut, isolate, request, admin, clock } = await setUp();
    const hook = receiver("rotated");
    const endpoint = await register(hook.url);
    const rotated = await request(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      method: "POST",
      headers: bearer(admin),
    });
    expect(rotated.status).toBe(200);
    const { secret } = ((await rotated.json()) as { data: { secret: string } }).data;
    expect(secret).not.toBe(endpoint.secret);

    await createOrder();
    const [delivery] = await fanOut();
    await consume(isolate, [{ body: delivery }]);
    clock.advance(PREVIOUS_SECRET_TTL_MS + 1);
    await createOrder();
    const [next] = await fanOut();
    await consume(isolate, [{ body: next }]);

    const [during, after] = await hook.received();
    for (const key of [secret, endpoint.secret]) {
      expect(new Webhook(key).verify(during?.body ?? "", during?.headers ?? {})).toBeTruthy();
    }
    expect(during?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    // A day later on the receiver's clock too: the library refuses a timestamp far from its own.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Number(after?.headers["webhook-timestamp"]) * 1000);
    try {
      expect(after?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
      expect(new Webhook(secret).verify(after?.body ?? "", after?.headers ?? {})).toBeTruthy();
      expect(() => new Webhook(endpoint.secret).verify(after?.body ?? "", after?.headers ?? {})).toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it("loses no event when the hand-over fails: the hourly run's sweep hands it over", async () => {
    const { register, createOrder, fanOut, isolate, recorder, clock } = await setUp();
    await register(receiver("swept").url);
    recorder.state.refusing = true;
    await createOrder();
    expect(recorder.sent).toEqual([]);
    recorder.state.refusing = false;

    await isolate.runCron(HOURLY);
    expect(recorder.sent).toEqual([]);
    clock.advance(SWEEP_AFTER_MS + 1);
    await isolate.runCron(HOURLY);
    expect(recorder.sent).toHaveLength(1);
    expect(await fanOut()).toHaveLength(1);
    // Fanned out: the next sweep has nothing left to hand over.
    await isolate.runCron(HOURLY);
    expect(recorder.sent).toEqual([]);
  });

  it("drains an outage's backlog from the queue's recovery: steps at once split it, each event handed over once", async () => {
    const { register, createOrder, fanOut, isolate, recorder, clock } = await setUp();
    await register(receiver("drained").url);
    recorder.state.refusing = true;
    for (let i = 0; i < 3; i++) await createOrder();
    recorder.state.refusing = false;
    // The queue takes the next hand-over: the drain's first step is sent for a minute on.
    await createOrder();
    expect(recorder.sweeps).toEqual([{ delaySeconds: SWEEP_AFTER_MS / 1000 }]);
    expect(await fanOut()).toHaveLength(1);
    clock.advance(SWEEP_AFTER_MS + 1);
    const sweep = { kind: "sweep" };
    await Promise.all([consume(isolate, [{ body: sweep }]), consume(isolate, [{ body: sweep }])]);
    const handedOver = recorder.take().map((m) => m.kind === "event" && m.event);
    expect(handedOver).toHaveLength(3);
    expect(new Set(handedOver).size).toBe(3);
    // Claimed: a later step finds nothing until an hour after the claim, and then hands over what is
    // still not fanned out.
    await consume(isolate, [{ body: sweep }]);
    expect(recorder.sent).toEqual([]);
    clock.advance(RESWEEP_AFTER_MS + 1);
    await consume(isolate, [{ body: sweep }]);
    expect(
      recorder
        .take()
        .map((m) => m.kind === "event" && m.event)
        .sort(),
    ).toEqual([...handedOver].sort());
  });

  it("sweeps on any schedule a deployment adds, and purges on the hourly one only", async () => {
    const { register, createOrder, isolate, recorder, clock, lines } = await setUp();
    await register(receiver("faster").url);
    recorder.state.refusing = true;
    await createOrder();
    recorder.state.refusing = false;
    clock.advance(SWEEP_AFTER_MS + 1);
    const jobs = () => lines.map((l) => l.msg).filter((m) => m === "event sweep" || m === "idempotency purge");

    await isolate.runCron("* * * * *");
    expect(recorder.take()).toHaveLength(1);
    expect(jobs()).toEqual(["event sweep"]);
    await isolate.runCron(HOURLY);
    expect(jobs()).toEqual(["event sweep", "event sweep", "idempotency purge"]);
  });

  it("runs the hourly purges when the sweep fails, and then fails the run", async () => {
    const { register, createOrder, isolate, recorder, clock, lines } = await setUp();
    await register(receiver("sweep-fails").url);
    recorder.state.refusing = true;
    await createOrder();
    clock.advance(SWEEP_AFTER_MS + 1);

    const before = lines.length;
    await expect(isolate.runCron(HOURLY)).rejects.toThrow();
    expect(lines.slice(before).map((l) => l.msg)).toEqual(["event sweep failed", "idempotency purge", "event purge"]);
  });

  it("redelivers an event on an admin's request, to one endpoint or to all that take it", async () => {
    const { register, createOrder, fanOut, request, admin, recorder } = await setUp();
    const [a, b] = [await register(receiver("again-a").url), await register(receiver("again-b").url)];
    await createOrder();
    const [first] = await fanOut();
    const eventId = first?.event ?? "";
    const all = await request(`/v1/events/${eventId}/redeliver`, { method: "POST", headers: bearer(admin) });
    expect(all.status).toBe(202);
    expect(new Set(recorder.take().map((m) => (m.kind === "delivery" ? m.endpoint : "")))).toEqual(
      new Set([a.id, b.id]),
    );
    const one = await request(`/v1/events/${eventId}/redeliver`, {
      method: "POST",
      headers: json(admin),
      body: JSON.stringify({ endpoint_id: b.id }),
    });
    expect(((await one.json()) as { data: unknown }).data).toEqual({ event_id: eventId, endpoint_ids: [b.id] });
    const customer = await request(`/v1/events/${eventId}/redeliver`, {
      method: "POST",
      headers: bearer(await token()),
    });
    expect(customer.status).toBe(403);
    const missing = await request(`/v1/events/${crypto.randomUUID()}/redeliver`, {
      method: "POST",
      headers: bearer(admin),
    });
    expect(missing.status).toBe(404);
  });

  it("acks messages that are not ours, and retries a step that failed on our side", async () => {
    const { isolate } = await setUp();
    const result = await consume(isolate, [{ body: { hello: "world" } }, { body: "text" }]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
  });

  it("sends an admin's test event, signed, to one endpoint, records it, and answers how it went", async () => {
    const { register, request, admin, recorder } = await setUp();
    const hook = receiver("tested");
    const endpoint = await register(hook.url);
    const res = await request(`/v1/webhook-endpoints/${endpoint.id}/test`, { method: "POST", headers: bearer(admin) });
    expect(res.status).toBe(200);
    const attempt = ((await res.json()) as { data: Record<string, unknown> }).data;
    expect(attempt).toMatchObject({ event_id: null, event_type: "webhook.test", attempt: 1, outcome: "delivered" });
    const [got] = await hook.received();
    const payload = new Webhook(endpoint.secret).verify(got?.body ?? "", got?.headers ?? {}) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: "webhook.test", data: { endpoint_id: endpoint.id } });
    expect(recorder.take()).toEqual([]);
    const listed = await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries`, { headers: bearer(admin) });
    expect(((await listed.json()) as { data: unknown[] }).data).toEqual([attempt]);

    await hook.answers(503);
    const failed = await request(`/v1/webhook-endpoints/${endpoint.id}/test`, {
      method: "POST",
      headers: { ...bearer(admin), "Content-Type": "application/json" },
      body: "{}",
    });
    expect(((await failed.json()) as { data: unknown }).data).toMatchObject({ outcome: "failed", status_code: 503 });

    const asCustomer = await request(`/v1/webhook-endpoints/${endpoint.id}/test`, {
      method: "POST",
      headers: bearer(await token()),
    });
    expect(asCustomer.status).toBe(403);
    const unknown = await request(`/v1/webhook-endpoints/${crypto.randomUUID()}/test`, {
      method: "POST",
      headers: bearer(admin),
    });
    expect(unknown.status).toBe(404);
    const withOptions = await request(`/v1/webhook-endpoints/${endpoint.id}/test`, {
      method: "POST",
      headers: { ...bearer(admin), "Content-Type": "application/json" },
      body: JSON.stringify({ type: "order.created" }),
    });
    expect(withOptions.status).toBe(400);
    expect(await hook.received()).toHaveLength(2);
  });

  it("recovers what an endpoint missed since a time, numbered on, and filters its deliveries", async () => {
    const { register, createOrder, fanOut, request, admin, recorder, isolate } = await setUp();
    const hook = receiver("recovering");
    const endpoint = await register(hook.url);
    const other = await register(receiver("recovering-other").url);
    const since = new Date(Date.now() - 60_000).toISOString();
    await createOrder();
    const missed = (await fanOut()).find((m) => m.kind === "delivery" && m.endpoint === endpoint.id);
    await createOrder();
    const delivered = (await fanOut()).find((m) => m.kind === "delivery" && m.endpoint === endpoint.id);
    await hook.answers(500);
    await consume(isolate, [{ body: missed }]);
    await hook.answers(200);
    await consume(isolate, [{ body: delivered }]);

    const recover = (id: string, body: unknown, bearerOf = admin) =>
      request(`/v1/webhook-endpoints/${id}/recover`, {
        method: "POST",
        headers: json(bearerOf),
        body: JSON.stringify(body),
      });
    const res = await recover(endpoint.id, { since });
    expect(res.status).toBe(202);
    const missedEvent = missed?.event ?? "";
    expect(((await res.json()) as { data: unknown }).data).toEqual({
      endpoint_id: endpoint.id,
      since,
      event_ids: [missedEvent],
      more: false,
    });
    // Numbered on from the one attempt made, to this endpoint only.
    expect(recorder.take()).toEqual([
      expect.objectContaining({ kind: "delivery", event: missedEvent, endpoint: endpoint.id, after: 1 }),
    ]);
    // Nothing is missed after a time later than every event.
    const later = await recover(endpoint.id, { since: new Date(Date.now() + 60_000).toISOString() });
    expect(((await later.json()) as { data: { event_ids: unknown[] } }).data.event_ids).toEqual([]);

    const list = async (query: string) =>
      (
        (await (
          await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries?${query}`, { headers: bearer(admin) })
        ).json()) as {
          data: { event_id: string; outcome: string }[];
        }
      ).data.map((a) => [a.event_id, a.outcome]);
    expect(await list("outcome=delivered")).toEqual([[delivered?.event, "delivered"]]);
    expect(await list(`event_id=${missedEvent}`)).toEqual([[missedEvent, "retrying"]]);
    expect(await list("outcome=failed")).toEqual([]);
    const bad = await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries?outcome=lost`, {
      headers: bearer(admin),
    });
    expect(bad.status).toBe(400);

    for (const body of [{}, { since: "yesterday" }, { since: "2026-12-06T10:00:00" }, { since, extra: 1 }]) {
      expect((await recover(endpoint.id, body)).status).toBe(400);
    }
    expect((await recover(endpoint.id, { since }, await token())).status).toBe(403);
    expect((await recover(crypto.randomUUID(), { since })).status).toBe(404);
    await request(`/v1/webhook-endpoints/${other.id}`, {
      method: "PATCH",
      headers: json(admin),
      body: JSON.stringify({ disabled: true }),
    });
    expect((await recover(other.id, { since })).status).toBe(409);
  });

  it("records, from the dead-letter queue, a delivery our side gave up on as failed, where an admin finds it", async () => {
    const { register, createOrder, fanOut, request, admin, isolate } = await setUp();
    const endpoint = await register(receiver("dead-lettered").url);
    await createOrder();
    const delivery = (await fanOut()).find((m) => m.kind === "delivery" && m.endpoint === endpoint.id);
    const result = await consume(isolate, [{ body: delivery }, { body: { not: "ours" } }], "order-events-dev-dlq");
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    const res = await request(`/v1/webhook-endpoints/${endpoint.id}/deliveries?outcome=failed`, {
      headers: bearer(admin),
    });
    expect(((await res.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ event_id: delivery?.event, outcome: "failed", attempt: 1, error: GAVE_UP_ERROR }),
    ]);
  });

  it("hands a replayed create's event over again, and fans it out once", async () => {
    const { request, recorder, isolate, register } = await setUp();
    await register(receiver("replayed").url);
    const bearerOf = await token();
    const create = () =>
      request("/v1/orders", {
        method: "POST",
        headers: { ...json(bearerOf), "Idempotency-Key": "again" },
        body: order,
      });
    expect((await create()).status).toBe(201);
    const [first] = recorder.take();
    const replay = await create();
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    const [again] = recorder.take();
    expect(again).toEqual({ kind: "event", event: first?.event });
    await consume(isolate, [{ body: first }]);
    expect(recorder.take()).toHaveLength(1);
    await consume(isolate, [{ body: again }]);
    expect(recorder.take()).toEqual([]);
  });
});
