import { AppError } from "../domain/app-error";
import { type Caller, requireAdmin } from "../domain/caller";
import type { DeliveryAttempt } from "../domain/webhook-endpoint";
import type { WebhookDispatcher } from "./webhook-dispatcher";

/** An admin's test of an endpoint: a signed `webhook.test` event sent to it now, and how it answered. */
export type WebhookTestSend = (caller: Caller, endpointId: string) => Promise<DeliveryAttempt>;

export function createWebhookTestSend({ dispatcher }: { dispatcher: Pick<WebhookDispatcher, "sendTest"> }) {
  const send: WebhookTestSend = async (caller, endpointId) => {
    requireAdmin(caller);
    const attempt = await dispatcher.sendTest(endpointId);
    if (!attempt) throw new AppError("NOT_FOUND", { message: "webhook endpoint not found" });
    return attempt;
  };
  return send;
}
