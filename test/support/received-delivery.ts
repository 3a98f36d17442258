/** A webhook delivery as the test receivers recorded it (test/support/node/webhook-receiver.ts). */
export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: string;
}
