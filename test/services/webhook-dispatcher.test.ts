import { describe, expect, it, vi } from "vitest";
import type { OrderEvent } from "../../src/domain/order-event";
import type { DeliveryAttempt } from "../../src/domain/webhook-endpoint";
import { RETRY_DELAYS_S } from "../../src/services/event-messages";
import type { EventRepository } from "../../src/services/event-repository";
import {
  createWebhookDispatcher,
  type DeliveryPorts,
  FAST_LANE_ANSWER_MS,
  type Lane,
} from "../../src/services/webhook-dispatcher";
import type { SigningSecrets } from "../../src/services/webhook-endpoint-service";
import type { LastAttempt, StoredEndpoint, WebhookRepository } from "../../src/services/webhook-repository";
import { emptyOrder } from "../support/orders";
import { fakeEventRepository } from "./fake-event-repository";
import { fakeOrderRepository } from "./fake-order-repository";
import { fakeWebhookRepository } from "./fake-webhook-repository";

const STARTED = Date.parse("2026-12-02T10:00:00.250Z");
const TOOK_MS = 120.4;
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "a1b2c3d4e5f60718";

const event: OrderEvent = {
  id: "evt-1",
  type: "order.status_changed",
  order: emptyOrder("6f1b2c4e-0000-4000-8000-000000000001"),
  previousStatus: "pending",
  requestId: "req-1",
  trace: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`, tracestate: "rojo=00f067aa0ba902b7" },
  createdAt: new Date(STARTED - 5_000),
};

const endpoint = (over: Partial<StoredEndpoint> = {}): StoredEndpoint => ({
  id: "wh-1",
  url: "https://receiver.example.com/hooks",
  description: null,
  events: ["order.status_changed"],
  disabled: false,
  disabledReason: null,
  version: 1,
  createdAt: new Date(STARTED - 60_000),
  updatedAt: new Date(STARTED - 60_000),
  secret: "sealed:current",
  previousSecrets: [],
  failingSince: null,
  slowSince: null,
  ...over,
});

/** The in-memory event repository, holding this event (with its order) if given. */
function eventsHolding(held: OrderEvent | null): EventRepository {
  const orders = fakeOrderRepository();
  if (held) {
    orders.orders.set(held.order.id, structuredClone(held.order));
    const stamp = { id: held.id, requestId: held.requestId ?? undefined, trace: held.trace ?? undefined };
    orders.record(held.type, { ...held.order, updatedAt: held.createdAt }, stamp, held.previousStatus);
  }
  return fakeEventRepository(orders);
}

/** The in-memory webhook repository, holding this endpoint if given. */
function webhooksHolding(held: StoredEndpoint | null) {
  const webhooks = fakeWebhookRepository();
  if (held) webhooks.endpoints.set(held.id, structuredClone(held));
  return webhooks;
}

type Answer = Awaited<ReturnType<DeliveryPorts["post"]>>;

/** The dispatcher over mocks of its ports; the clock reads STARTED, then STARTED + TOOK_MS. */
function dispatcherWith({
  answer = { status: 200 } as Answer,
  found = event as OrderEvent | null,
  stored = endpoint() as StoredEndpoint | null,
  stale = [] as string[],
  draw = 0.5,
  took = TOOK_MS,
  newest = undefined as LastAttempt | undefined,
} = {}) {
  const times = [STARTED, STARTED + took];
  const webhooks = webhooksHolding(stored);
  const repository: WebhookRepository = {
    ...webhooks.repository,
    // The receiver's attempts recorded before this one, as the test sets them (see `deliver`).
    lastAttempt: async () =>
      newest ?? (made > 0 ? { attempt: made, outcome: "retrying" as const, nextAttemptAt: null } : null),
  };
  const recordAttempt = vi.spyOn(repository, "recordAttempt");
  const markSlow = vi.spyOn(repository, "markSlow");
  const resealSecrets = vi.spyOn(repository, "resealSecrets");
  const post = vi.fn<DeliveryPorts["post"]>(async () => answer);
  const sign = vi.fn<DeliveryPorts["sign"]>(async (_message, secrets) => ({
    "webhook-id": "evt-1",
    "webhook-signature": secrets.map((s) => `v1,${s}`).join(" "),
  }));
  const secrets: SigningSecrets = {
    generate: () => "unused",
    seal: async (plain) => `resealed:${plain}`,
    open: async (sealed) => ({ plain: sealed.replace("sealed:", "plain:"), stale: stale.includes(sealed) }),
  };
  const dispatcher = createWebhookDispatcher({
    events: eventsHolding(found),
    webhooks: repository,
    secrets,
    render: (e) => JSON.stringify({ id: e.id, type: e.type }),
    renderTest: (t) => JSON.stringify({ id: t.id, type: "webhook.test", endpoint: t.endpointId }),
    sign,
    post,
    now: () => times.shift() ?? STARTED + took,
    newId: () => "attempt-1",
    // 0.5: the jitter's middle, the schedule's own delay.
    random: () => draw,
  });
  // The receiver's attempts recorded before this one: those of the redelivery's past, then this
  // message's earlier ones (the dispatcher counts from what is recorded).
  let made = 0;
  const deliver = (attempt = 1, endpointId = "wh-1", priorAttempts?: number) => {
    made = (priorAttempts ?? 0) + attempt - 1;
    return dispatcher.deliver({ eventId: "evt-1", endpointId, priorAttempts, spanId: SPAN_ID });
  };
  /** An attempt after `recorded` attempts of the receiver's, however many steps failed on our side. */
  const deliverAfter = (recorded: number) => {
    made = recorded;
    return dispatcher.deliver({ eventId: "evt-1", endpointId: "wh-1", spanId: SPAN_ID });
  };
  const sendTest = (endpointId = "wh-1") => dispatcher.sendTest(endpointId);
  /** A first attempt, on that lane's queue. */
  const deliverIn = (lane: Lane) => dispatcher.deliver({ eventId: "evt-1", endpointId: "wh-1", spanId: SPAN_ID, lane });
  return { deliver, deliverAfter, deliverIn, sendTest, recordAttempt, resealSecrets, markSlow, post, sign };
}

const recorded = (recordAttempt: ReturnType<typeof dispatcherWith>["recordAttempt"]) =>
  recordAttempt.mock.calls.map(([attempt, disable]) => ({ attempt, disable }));

describe("one delivery attempt", () => {
  it("posts the rendered event, signed, under the event's trace continued by the attempt's span, without the customer's tracestate", async () => {
    const { deliver, post, sign } = dispatcherWith();
    await deliver();
    const body = '{"id":"evt-1","type":"order.status_changed"}';
    expect(sign).toHaveBeenCalledWith({ id: "evt-1", timestampSeconds: Math.floor(STARTED / 1000), body }, [
      "plain:current",
    ]);
    expect(post).toHaveBeenCalledWith(
      "https://receiver.example.com/hooks",
      body,
      { "webhook-id": "evt-1", "webhook-signature": "v1,plain:current", traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
      undefined,
    );
  });

  it("sends no trace headers for an event without a trace, or with one that is not valid", async () => {
    for (const trace of [null, { traceparent: "not-a-traceparent", tracestate: "rojo=1" }]) {
      const { deliver, post } = dispatcherWith({ found: { ...event, trace } });
      await deliver();
      expect(Object.keys(post.mock.calls[0]?.[2] ?? {})).toEqual(["webhook-id", "webhook-signature"]);
    }
  });

  it("carries on a trace without tracestate as it is", async () => {
    const { deliver, post } = dispatcherWith({
      found: { ...event, trace: { traceparent: event.trace?.traceparent ?? "" } },
    });
    await deliver();
    expect(post.mock.calls[0]?.[2]).not.toHaveProperty("tracestate");
    expect(post.mock.calls[0]?.[2]).toHaveProperty("traceparent", `00-${TRACE_ID}-${SPAN_ID}-01`);
  });

  it("records a 2xx as delivered, with the attempt's time and duration, and acks it", async () => {
    for (const status of [200, 204, 299]) {
      const { deliver, recordAttempt } = dispatcherWith({ answer: { status } });
      expect(await deliver(3)).toEqual({ kind: "ack", outcome: "delivered" });
      expect(recorded(recordAttempt)).toEqual([
        {
          attempt: {
            id: "attempt-1",
            endpointId: "wh-1",
            eventId: "evt-1",
            eventType: "order.status_changed",
            attempt: 3,
            outcome: "delivered",
            statusCode: status,
            error: null,
            durationMs: 120,
            attemptedAt: new Date(Math.floor(STARTED)),
            nextAttemptAt: null,
          } satisfies DeliveryAttempt,
          disable: undefined,
        },
      ]);
    }
  });

  it("retries anything else after the schedule's delay for that attempt, and says when", async () => {
    for (const [answer, attempt] of [
      [{ status: 199 }, 1],
      [{ status: 300 }, 2],
      [{ status: 404 }, 5],
      [{ status: 500 }, RETRY_DELAYS_S.length],
      [{ error: "timeout" }, 1],
    ] as const) {
      const { deliver, recordAttempt } = dispatcherWith({ answer });
      const delaySeconds = RETRY_DELAYS_S[attempt - 1] ?? -1;
      expect(await deliver(attempt)).toEqual({ kind: "retry", outcome: "retrying", delaySeconds });
      expect(recorded(recordAttempt)[0]?.attempt).toMatchObject({
        outcome: "retrying",
        statusCode: "status" in answer ? answer.status : null,
        error: "error" in answer ? answer.error : null,
        nextAttemptAt: new Date(Math.floor(STARTED + TOOK_MS) + delaySeconds * 1000),
      });
    }
  });

  it("numbers a redelivery's attempts on from those made, on a fresh retry schedule", async () => {
    const { deliver, recordAttempt } = dispatcherWith({ answer: { status: 500 } });
    expect(await deliver(1, "wh-1", 12)).toEqual({
      kind: "retry",
      outcome: "retrying",
      delaySeconds: RETRY_DELAYS_S[0],
    });
    expect(recorded(recordAttempt)[0]?.attempt).toMatchObject({ attempt: 13 });
  });

  it("gives each attempt a random UUID by default", async () => {
    const webhooks = webhooksHolding(endpoint());
    webhooks.endpoints.set("wh-2", endpoint({ id: "wh-2" }));
    const dispatcher = createWebhookDispatcher({
      events: eventsHolding(event),
      webhooks: webhooks.repository,
      secrets: { generate: () => "", seal: async (p) => p, open: async (p) => ({ plain: p, stale: false }) },
      render: () => "{}",
      renderTest: () => "{}",
      sign: async () => ({}),
      post: async () => ({ status: 500 }),
    });
    const step = { eventId: "evt-1", endpointId: "wh-1", spanId: SPAN_ID };
    await dispatcher.deliver(step);
    await dispatcher.deliver({ ...step, endpointId: "wh-2" });
    const [first, second] = webhooks.attempts.map((attempt) => attempt.id);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).toMatch(/^[0-9a-f]{8}-/);
    expect(first).not.toBe(second);
  });

  it("keeps an error given with a status (a redirect not followed)", async () => {
    const { deliver, recordAttempt } = dispatcherWith({ answer: { status: 302, error: "redirect not followed" } });
    await deliver();
    expect(recorded(recordAttempt)[0]?.attempt).toMatchObject({ statusCode: 302, error: "redirect not followed" });
  });

  it("numbers and schedules by the receiver's recorded attempts: steps that failed on our side spend neither", async () => {
    const { deliverAfter, recordAttempt } = dispatcherWith({ answer: { status: 500 } });
    // Two attempts of the receiver's recorded; whatever number of queue steps failed on our side between.
    expect(await deliverAfter(2)).toEqual({ kind: "retry", outcome: "retrying", delaySeconds: RETRY_DELAYS_S[2] });
    expect(recorded(recordAttempt)[0]?.attempt.attempt).toBe(3);
  });

  it("gives up, recorded failed, after the schedule's last attempt fails", async () => {
    const { deliver, recordAttempt } = dispatcherWith({ answer: { status: 503 } });
    expect(await deliver(RETRY_DELAYS_S.length + 1)).toEqual({ kind: "give-up", outcome: "failed" });
    expect(recorded(recordAttempt)[0]?.attempt).toMatchObject({ outcome: "failed", nextAttemptAt: null });
  });

  it("disables the endpoint when the receiver answers 410, in the same record, and acks it", async () => {
    const { deliver, recordAttempt } = dispatcherWith({ answer: { status: 410 } });
    expect(await deliver()).toEqual({ kind: "ack", outcome: "disabled", disabledBy: "gone" });
    expect(recorded(recordAttempt)).toEqual([
      {
        attempt: expect.objectContaining({ outcome: "disabled", statusCode: 410, nextAttemptAt: null }),
        disable: { reason: "the receiver answered 410 Gone" },
      },
    ]);
  });

  it.each([
    ["a throttling 429 doubles the schedule's delay", { status: 429 }, 2, 600],
    ["a 503 from a gateway doubles it too", { status: 503 }, 1, 10],
    ["a 500 keeps it", { status: 500 }, 2, 300],
    ["Retry-After in seconds, later than the schedule, is honoured", { status: 503, retryAfter: "120" }, 1, 120],
    ["Retry-After sooner than the schedule is not", { status: 429, retryAfter: "1" }, 2, 600],
    [
      "Retry-After as an HTTP-date",
      { status: 503, retryAfter: new Date(STARTED + TOOK_MS + 3_600_000).toUTCString() },
      1,
      3_600,
    ],
    ["Retry-After past the 12 h a queue can wait: 12 h", { status: 429, retryAfter: "100000" }, 1, 43_200],
    ["an unreadable Retry-After: the schedule", { status: 503, retryAfter: "soon" }, 1, 10],
  ])("retries after the receiver's throttling: %s", async (_label, answer, attempt, delaySeconds) => {
    const { deliver, recordAttempt } = dispatcherWith({ answer });
    expect(await deliver(attempt)).toEqual({ kind: "retry", outcome: "retrying", delaySeconds });
    expect(recorded(recordAttempt)[0]?.attempt.nextAttemptAt).toEqual(
      new Date(Math.floor(STARTED + TOOK_MS) + delaySeconds * 1000),
    );
  });

  it.each([
    [0, 1_440],
    [0.999_999, 2_160],
  ])("spreads retries by up to a fifth either way (draw %d)", async (draw, delaySeconds) => {
    const { deliver } = dispatcherWith({ answer: { status: 500 }, draw });
    expect(await deliver(3)).toEqual({ kind: "retry", outcome: "retrying", delaySeconds });
  });

  it("disables an endpoint whose every attempt has failed for 5 days, with why, and acks it", async () => {
    // Exactly 5 days when the attempt ends (a whole millisecond, as a Date holds).
    const since = new Date(STARTED + 120 - 5 * 86_400_000);
    const { deliver, recordAttempt } = dispatcherWith({
      answer: { error: "no answer within 15 s" },
      stored: endpoint({ failingSince: since }),
      took: 120,
    });
    expect(await deliver(4)).toEqual({ kind: "ack", outcome: "disabled", disabledBy: "failing" });
    expect(recorded(recordAttempt)).toEqual([
      {
        attempt: expect.objectContaining({ outcome: "disabled", statusCode: null, nextAttemptAt: null }),
        disable: { reason: `every delivery failed for 5 days (since ${since.toISOString()})` },
      },
    ]);
  });

  it("keeps retrying an endpoint failing for less than 5 days, and delivers to one failing for longer that answers", async () => {
    const almost = new Date(STARTED + TOOK_MS - 5 * 86_400_000 + 1);
    const failing = dispatcherWith({ answer: { status: 500 }, stored: endpoint({ failingSince: almost }) });
    expect((await failing.deliver(4)).kind).toBe("retry");
    const long = new Date(STARTED - 9 * 86_400_000);
    const answering = dispatcherWith({ answer: { status: 204 }, stored: endpoint({ failingSince: long }) });
    expect(await answering.deliver(4)).toEqual({ kind: "ack", outcome: "delivered" });
  });

  it("sends a test event once, signed with every live secret, to that endpoint alone, and records it", async () => {
    const { sendTest, post, sign, recordAttempt } = dispatcherWith({
      stored: endpoint({
        disabled: true,
        previousSecrets: [{ secret: "sealed:old", expiresAt: new Date(STARTED + 1) }],
      }),
    });
    const attempt = await sendTest();
    const body = JSON.stringify({ id: "attempt-1", type: "webhook.test", endpoint: "wh-1" });
    expect(sign).toHaveBeenCalledWith({ id: "attempt-1", timestampSeconds: Math.floor(STARTED / 1000), body }, [
      "plain:current",
      "plain:old",
    ]);
    expect(post).toHaveBeenCalledTimes(1);
    expect(post.mock.calls[0]?.[0]).toBe("https://receiver.example.com/hooks");
    expect(attempt).toEqual({
      id: "attempt-1",
      endpointId: "wh-1",
      eventId: null,
      eventType: "webhook.test",
      attempt: 1,
      outcome: "delivered",
      statusCode: 200,
      error: null,
      durationMs: 120,
      attemptedAt: new Date(Math.floor(STARTED)),
      nextAttemptAt: null,
    });
    expect(recorded(recordAttempt)).toEqual([{ attempt, disable: undefined }]);
  });

  it.each([
    [{ status: 410 }, 410, null],
    [{ status: 503, retryAfter: "60" }, 503, null],
    [{ error: "no answer within 15 s" }, null, "no answer within 15 s"],
  ] as const)(
    "records a test answered %j as failed, never retried nor disabling",
    async (answer, statusCode, error) => {
      const { sendTest, recordAttempt } = dispatcherWith({ answer });
      expect(await sendTest()).toMatchObject({ outcome: "failed", statusCode, error, nextAttemptAt: null });
      expect(recorded(recordAttempt)[0]?.disable).toBeUndefined();
    },
  );

  it("tests no endpoint that does not exist", async () => {
    const { sendTest, post, recordAttempt } = dispatcherWith();
    expect(await sendTest("wh-none")).toBeNull();
    expect(post).not.toHaveBeenCalled();
    expect(recordAttempt).not.toHaveBeenCalled();
  });

  it("skips, without posting or recording, an event or endpoint that is gone", async () => {
    for (const setup of [{ found: null }, { stored: null }]) {
      const { deliver, post, recordAttempt } = dispatcherWith(setup);
      expect(await deliver()).toEqual({ kind: "ack", outcome: "skipped" });
      expect(post).not.toHaveBeenCalled();
      expect(recordAttempt).not.toHaveBeenCalled();
    }
  });

  it("skips an endpoint that is disabled without posting, and records the skip, numbered on", async () => {
    const { deliver, post, recordAttempt } = dispatcherWith({ stored: endpoint({ disabled: true }) });
    expect(await deliver(3, "wh-1", 2)).toEqual({ kind: "ack", outcome: "skipped" });
    expect(post).not.toHaveBeenCalled();
    expect(recorded(recordAttempt)).toEqual([
      {
        attempt: {
          id: "attempt-1",
          endpointId: "wh-1",
          eventId: "evt-1",
          eventType: "order.status_changed",
          attempt: 5,
          outcome: "skipped",
          statusCode: null,
          error: "the endpoint is disabled",
          durationMs: 0,
          attemptedAt: new Date(Math.floor(STARTED)),
          nextAttemptAt: null,
        },
        disable: undefined,
      },
    ]);
  });
});

describe("a delivery under way in another message", () => {
  const at = (seconds: number) => new Date(STARTED + seconds * 1000);

  it.each(["delivered", "failed"] as const)("is done once its newest attempt is %s: no POST", async (outcome) => {
    const { deliver, post, recordAttempt } = dispatcherWith({ newest: { attempt: 3, outcome, nextAttemptAt: null } });
    expect(await deliver()).toEqual({ kind: "ack", outcome: "duplicate" });
    expect([post.mock.calls.length, recordAttempt.mock.calls.length]).toEqual([0, 0]);
  });

  it("comes back when its next attempt is due, without a POST", async () => {
    const { deliver, post } = dispatcherWith({
      newest: { attempt: 1, outcome: "retrying", nextAttemptAt: at(299.2) },
    });
    expect(await deliver()).toEqual({ kind: "retry", outcome: "not_due", delaySeconds: 300 });
    expect(post).not.toHaveBeenCalled();
  });

  it("is attempted when its next attempt is due, or within a second of it, numbered on", async () => {
    for (const due of [at(1), at(0.9), at(-60)]) {
      const { deliver, post, recordAttempt } = dispatcherWith({
        newest: { attempt: 1, outcome: "retrying", nextAttemptAt: due },
      });
      expect(await deliver()).toMatchObject({ outcome: "delivered" });
      expect(post).toHaveBeenCalledTimes(1);
      expect(recorded(recordAttempt)[0]?.attempt.attempt).toBe(2);
    }
  });

  it("is a redelivery's to make when the attempts are from before it, delivered or not", async () => {
    const { deliver, post } = dispatcherWith({ newest: { attempt: 4, outcome: "delivered", nextAttemptAt: null } });
    expect(await deliver(1, "wh-1", 4)).toMatchObject({ outcome: "delivered" });
    expect(post).toHaveBeenCalledTimes(1);
  });
});

describe("the fast and slow lanes", () => {
  const hung = { error: "no answer within 2 s", timedOut: true } as Answer;
  const SLOW_SINCE = new Date(STARTED - 3_600_000);

  it("waits the fast lane's time for an answer, and records it as any other attempt", async () => {
    const { deliverIn, post, recordAttempt, markSlow } = dispatcherWith();
    expect(await deliverIn("fast")).toEqual({ kind: "ack", outcome: "delivered" });
    expect(post.mock.calls[0]?.[3]).toEqual({ timeoutMs: FAST_LANE_ANSWER_MS });
    expect(recorded(recordAttempt).map(({ attempt }) => attempt.outcome)).toEqual(["delivered"]);
    expect(markSlow).not.toHaveBeenCalled();
  });

  it("moves a receiver that did not answer in time to the slow lane, recording no attempt (it spends none)", async () => {
    const { deliverIn, recordAttempt, markSlow } = dispatcherWith({ answer: hung });
    expect(await deliverIn("fast")).toEqual({ kind: "move", outcome: "moved" });
    expect(recordAttempt).not.toHaveBeenCalled();
    expect(markSlow).toHaveBeenCalledWith("wh-1", new Date(Math.floor(STARTED)));
  });

  it("moves a delivery to an endpoint in the slow lane on without posting it", async () => {
    const { deliverIn, post, recordAttempt, markSlow } = dispatcherWith({
      stored: endpoint({ slowSince: SLOW_SINCE }),
    });
    expect(await deliverIn("fast")).toEqual({ kind: "move", outcome: "moved" });
    expect([post, recordAttempt, markSlow].map((f) => f.mock.calls.length)).toEqual([0, 0, 0]);
  });

  it("still skips a disabled endpoint in the fast lane, slow or not: nothing to move", async () => {
    const { deliverIn, post } = dispatcherWith({ stored: endpoint({ disabled: true, slowSince: SLOW_SINCE }) });
    expect(await deliverIn("fast")).toEqual({ kind: "ack", outcome: "skipped" });
    expect(post).not.toHaveBeenCalled();
  });

  it("gives the slow lane the sender's full timeout, and records a timeout there as a failed attempt", async () => {
    const { deliverIn, post, recordAttempt, markSlow } = dispatcherWith({
      answer: { error: "no answer within 15 s", timedOut: true },
      stored: endpoint({ slowSince: SLOW_SINCE }),
    });
    expect(await deliverIn("slow")).toMatchObject({ kind: "retry", outcome: "retrying" });
    expect(post.mock.calls[0]?.[3]).toBeUndefined();
    expect(recorded(recordAttempt)[0]?.attempt).toMatchObject({ outcome: "retrying", error: "no answer within 15 s" });
    expect(markSlow).not.toHaveBeenCalled();
  });

  it("sends an endpoint back to the fast lane once it answers in the fast lane's time, whatever the status", async () => {
    for (const answer of [{ status: 200 }, { status: 500 }] as Answer[]) {
      const { deliverIn, markSlow, recordAttempt } = dispatcherWith({
        answer,
        stored: endpoint({ slowSince: SLOW_SINCE }),
        took: FAST_LANE_ANSWER_MS,
      });
      await deliverIn("slow");
      expect(markSlow).toHaveBeenCalledWith("wh-1", null);
      expect(recordAttempt).toHaveBeenCalledTimes(1);
    }
  });

  it("keeps it in the slow lane while it answers late, and puts one that answered late there", async () => {
    const late = dispatcherWith({ stored: endpoint({ slowSince: SLOW_SINCE }), took: FAST_LANE_ANSWER_MS + 1 });
    await late.deliverIn("slow");
    expect(late.markSlow).not.toHaveBeenCalled();
    const back = dispatcherWith({ answer: hung, took: 15_000 });
    await back.deliverIn("slow");
    expect(back.markSlow).toHaveBeenCalledWith("wh-1", new Date(Math.floor(STARTED)));
    const quick = dispatcherWith();
    await quick.deliverIn("slow");
    expect(quick.markSlow).not.toHaveBeenCalled();
  });

  it("keeps a receiver that refused at once in the fast lane, and retries it there", async () => {
    const { deliverIn, recordAttempt, markSlow } = dispatcherWith({ answer: { error: "connection refused" } });
    expect(await deliverIn("fast")).toMatchObject({ kind: "retry", outcome: "retrying" });
    expect(recorded(recordAttempt).map(({ attempt }) => attempt.outcome)).toEqual(["retrying"]);
    expect(markSlow).not.toHaveBeenCalled();
  });

  it("with one lane, waits the sender's full timeout and never moves an endpoint", async () => {
    const { deliver, post, markSlow } = dispatcherWith({ answer: hung, stored: endpoint({ slowSince: SLOW_SINCE }) });
    expect(await deliver()).toMatchObject({ kind: "retry" });
    expect(post.mock.calls[0]?.[3]).toBeUndefined();
    expect(markSlow).not.toHaveBeenCalled();
  });
});

describe("signing secrets", () => {
  it("signs with each previous secret too until it expires, newest first, then with the current one only", async () => {
    const rotated = (...expiries: number[]) =>
      endpoint({
        previousSecrets: expiries.map((at, i) => ({ secret: `sealed:previous-${i + 1}`, expiresAt: new Date(at) })),
      });
    const live = dispatcherWith({ stored: rotated(STARTED + 2, STARTED + 1) });
    await live.deliver();
    expect(live.sign.mock.calls[0]?.[1]).toEqual(["plain:current", "plain:previous-1", "plain:previous-2"]);
    const one = dispatcherWith({ stored: rotated(STARTED + 1, STARTED) });
    await one.deliver();
    expect(one.sign.mock.calls[0]?.[1]).toEqual(["plain:current", "plain:previous-1"]);
    for (const expiresAt of [STARTED, STARTED - 1]) {
      const expired = dispatcherWith({ stored: rotated(expiresAt) });
      await expired.deliver();
      expect(expired.sign.mock.calls[0]?.[1]).toEqual(["plain:current"]);
    }
  });

  it("seals again, with the current key, secrets that were opened with the previous one", async () => {
    const plain = dispatcherWith({ stale: ["sealed:current"] });
    await plain.deliver();
    expect(plain.resealSecrets).toHaveBeenCalledWith("wh-1", { secret: "resealed:plain:current", previousSecrets: [] });
    const expiresAt = new Date(STARTED + 60_000);
    const rotated = (stale: string[]) =>
      dispatcherWith({ stale, stored: endpoint({ previousSecrets: [{ secret: "sealed:previous", expiresAt }] }) });
    for (const stale of [["sealed:current"], ["sealed:previous"], ["sealed:current", "sealed:previous"]]) {
      const { deliver, resealSecrets } = rotated(stale);
      await deliver();
      expect(resealSecrets).toHaveBeenCalledWith("wh-1", {
        secret: "resealed:plain:current",
        previousSecrets: [{ secret: "resealed:plain:previous", expiresAt }],
      });
    }
  });

  it("leaves secrets sealed with the current key alone", async () => {
    const { deliver, resealSecrets } = dispatcherWith();
    await deliver();
    expect(resealSecrets).not.toHaveBeenCalled();
  });
});
