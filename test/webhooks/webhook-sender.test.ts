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

  it("reports a redirect as not followed", async () => {
    const answer = await post(
      async () => new Response(null, { status: 302, headers: { Location: "http://10.0.0.1/" } }),
    );
    expect(answer).toEqual({ status: 302, error: "redirect not followed" });
  });

  it("tells a timeout from a network error", async () => {
    expect(await post(async () => Promise.reject(new DOMException("timed out", "TimeoutError")))).toEqual({
      error: "no answer within 15 s",
    });
    expect(await post(async () => Promise.reject(new TypeError("connection refused")))).toEqual({
      error: "network error",
    });
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
});
