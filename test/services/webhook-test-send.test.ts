import { describe, expect, it, vi } from "vitest";
import type { DeliveryAttempt } from "../../src/domain/webhook-endpoint";
import type { WebhookDispatcher } from "../../src/services/webhook-dispatcher";
import { createWebhookTestSend } from "../../src/services/webhook-test-send";
import { ADMIN, CUSTOMER } from "../support/event-jobs";

const attempt = { id: "a1", endpointId: "wh-1", eventId: null, eventType: "webhook.test" } as DeliveryAttempt;

describe("an admin's test send", () => {
  it("answers the attempt the dispatcher made", async () => {
    const sendTest = vi.fn<WebhookDispatcher["sendTest"]>(async () => attempt);
    expect(await createWebhookTestSend({ dispatcher: { sendTest } })(ADMIN, "wh-1")).toBe(attempt);
    expect(sendTest).toHaveBeenCalledWith("wh-1");
  });

  it("is for admins only, and sends nothing for anyone else", async () => {
    const sendTest = vi.fn<WebhookDispatcher["sendTest"]>(async () => attempt);
    await expect(createWebhookTestSend({ dispatcher: { sendTest } })(CUSTOMER, "wh-1")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(sendTest).not.toHaveBeenCalled();
  });

  it("is 404 for an endpoint that does not exist", async () => {
    const send = createWebhookTestSend({ dispatcher: { sendTest: async () => null } });
    await expect(send(ADMIN, "wh-none")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "webhook endpoint not found",
    });
  });
});
