import { describe, expect, it } from "vitest";
import { postDelivery } from "../../src/webhooks/webhook-sender";

const post = (fetcher: typeof fetch) =>
  postDelivery("https://hooks.example.com/x", "{}", { "webhook-id": "e" }, { fetcher });

describe("posting a delivery", () => {
  it("sends the body and headers as JSON, without following redirects", async () => {
    let seen: RequestInit | undefined;
    const answer = await post(async (_url, init) => {
      seen = init;
      return new Response("ok", { status: 202 });
    });
    expect(answer).toEqual({ status: 202 });
    expect(seen).toMatchObject({ method: "POST", body: "{}", redirect: "manual" });
    expect(seen?.headers).toMatchObject({ "webhook-id": "e", "content-type": "application/json" });
  });

  it("passes the receiver's Retry-After on, as it sent it", async () => {
    const answer = await post(async () => new Response(null, { status: 429, headers: { "Retry-After": "120" } }));
    expect(answer).toEqual({ status: 429, retryAfter: "120" });
  });

  it("reports a redirect as not followed", async () => {
    const answer = await post(
      async () => new Response(null, { status: 302, headers: { Location: "http://10.0.0.1/" } }),
    );
    expect(answer).toEqual({ status: 302, error: "redirect not followed" });
  });

  it("tells a timeout from a network error", async () => {
    expect(await post(async () => Promise.reject(new DOMException("timed out", "TimeoutError")))).toEqual({
      error: "no answer within 15 s",
      timedOut: true,
    });
    expect(await post(async () => Promise.reject(new TypeError("connection refused")))).toEqual({
      error: "network error",
    });
  });

  it("gives up after the time it is given (the fast lane's, here 50 ms), and says so", async () => {
    const answer = await postDelivery(
      "https://hooks.example.com/x",
      "{}",
      {},
      {
        timeoutMs: 50,
        fetcher: async (_url, init) =>
          new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
      },
    );
    expect(answer).toEqual({ error: "no answer within 0.05 s", timedOut: true });
  });

  it("reads a little of a receiver's answer and no more, however much it sends", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    expect(await post(async () => new Response(endless, { status: 500 }))).toEqual({ status: 500 });
    expect(pulled).toBeLessThan(10);
  });

  it("reads up to 4 KiB of the answer, then cancels the rest", async () => {
    const reads: number[] = [];
    let cancelled = false;
    // Nothing is pulled ahead (highWaterMark 0): each chunk made is a chunk read.
    const answer = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          reads.push(1024);
          controller.enqueue(new Uint8Array(1024));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const res = new Response(null, { status: 200 });
    Object.defineProperty(res, "body", { value: answer });
    expect(await post(async () => res)).toEqual({ status: 200 });
    expect(reads).toEqual([1024, 1024, 1024, 1024]);
    expect(cancelled).toBe(true);
  });

  it("reads a short answer to its end", async () => {
    const res = new Response("ok", { status: 200 });
    expect(await post(async () => res)).toEqual({ status: 200 });
    expect(res.bodyUsed).toBe(true);
  });

  it("says who is calling, and sends JSON whatever the headers given", async () => {
    let seen: Record<string, string> | undefined;
    await postDelivery(
      "https://hooks.example.com/x",
      "{}",
      { "content-type": "text/plain" },
      {
        fetcher: async (_url, init) => {
          seen = init?.headers as Record<string, string>;
          return new Response(null, { status: 200 });
        },
      },
    );
    expect(seen).toEqual({ "content-type": "application/json", "user-agent": "order-service-webhooks/1" });
  });

  it("counts 300–399 as redirects and nothing either side", async () => {
    const answerFor = (status: number) => post(async () => new Response(null, { status }));
    expect(await answerFor(299)).toEqual({ status: 299 });
    expect(await answerFor(300)).toEqual({ status: 300, error: "redirect not followed" });
    expect(await answerFor(399)).toEqual({ status: 399, error: "redirect not followed" });
    expect(await answerFor(400)).toEqual({ status: 400 });
  });
});
