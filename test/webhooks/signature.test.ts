import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret, signDelivery } from "../../src/webhooks/signature";

const body = JSON.stringify({ type: "order.created", timestamp: "2026-12-01T00:00:00.000Z", data: { x: 1 } });

describe("delivery signatures", () => {
  it("verify unchanged with the standardwebhooks library", async () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const headers = await signDelivery({ id: "evt_1", timestampSeconds, body }, [secret]);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("carry one signature per secret, so a receiver with either the new or the old one verifies", async () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const headers = await signDelivery({ id: "evt_2", timestampSeconds: Math.floor(Date.now() / 1000), body }, [
      current,
      previous,
    ]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, { ...headers })).toBeTruthy();
    expect(() => new Webhook(newSigningSecret()).verify(body, { ...headers })).toThrow();
  });

  it("fail verification when the body, the id or the timestamp was changed", async () => {
    const secret = newSigningSecret();
    const headers = await signDelivery({ id: "evt_3", timestampSeconds: Math.floor(Date.now() / 1000), body }, [
      secret,
    ]);
    const hook = new Webhook(secret);
    expect(() => hook.verify(`${body} `, { ...headers })).toThrow();
    expect(() => hook.verify(body, { ...headers, "webhook-id": "evt_4" })).toThrow();
    expect(() =>
      hook.verify(body, { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) }),
    ).toThrow();
  });
});
