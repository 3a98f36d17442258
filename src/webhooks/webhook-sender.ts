/** How long a receiver has to answer, like Svix's and Stripe's. */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** Bytes of a receiver's answer read (and then dropped): enough to end the exchange cleanly, never stored. */
const ANSWER_READ_LIMIT = 4_096;

/** A status and, when the receiver sent one, its `Retry-After`; or why no status came back (`timedOut`: none in time). */
export type DeliveryAnswer =
  | { status: number; retryAfter?: string; error?: string }
  | { error: string; timedOut?: true };

/** Reads at most `limit` bytes of the answer and cancels the rest: a receiver cannot make us read a gigabyte. */
async function drain(res: Response, limit: number): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  let read = 0;
  try {
    while (read < limit) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * POSTs one signed delivery. Redirects are not followed (a receiver could point us anywhere, the
 * SSRF rules having checked only the first URL): a 3xx is a failed attempt. A timeout or a network
 * error is an answer without a status.
 */
export async function postDelivery(
  url: string,
  body: string,
  headers: Record<string, string>,
  { timeoutMs = DELIVERY_TIMEOUT_MS, fetcher = fetch }: { timeoutMs?: number; fetcher?: typeof fetch } = {},
): Promise<DeliveryAnswer> {
  try {
    const res = await fetcher(url, {
      method: "POST",
      body,
      headers: { ...headers, "content-type": "application/json", "user-agent": "order-service-webhooks/1" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await drain(res, ANSWER_READ_LIMIT).catch(() => {});
    if (res.status >= 300 && res.status < 400) return { status: res.status, error: "redirect not followed" };
    const retryAfter = res.headers.get("retry-after");
    return retryAfter === null ? { status: res.status } : { status: res.status, retryAfter };
  } catch (err) {
    const name = (err as Error).name;
    if (name === "TimeoutError") return { error: `no answer within ${timeoutMs / 1000} s`, timedOut: true };
    return { error: "network error" };
  }
}
