import type { BreakerState } from "../services/readiness";

export interface CircuitBreakerOptions {
  /** Fewest calls in the window before the failure ratio means anything. */
  minimumCalls?: number;
  /** Failure ratio (0–1) that trips the breaker. */
  failureRatio?: number;
  /** How far back outcomes count. */
  windowMs?: number;
  /** How long to stay open before letting one probe through. */
  openMs?: number;
  now?: () => number;
}

/** Thrown instead of calling the dependency while the breaker is open. */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("circuit breaker is open");
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A per-isolate circuit breaker: trips when at least `failureRatio` of the last `minimumCalls`+
 * calls within `windowMs` failed; while open it fails fast; after `openMs` it lets exactly one
 * probe through (half-open): success closes it, failure opens it again. A cancelled call is neither
 * (`release`): a cancelled probe frees the probe slot and the breaker stays open.
 */
export class CircuitBreaker {
  private readonly minimumCalls: number;
  private readonly failureRatio: number;
  private readonly windowMs: number;
  private readonly openMs: number;
  private readonly now: () => number;
  /**
   * The last outcomes, oldest first, in a ring of fixed size (only the last calls matter once there
   * are plenty, and a call's bookkeeping allocates nothing): times in `at`, 1 for a failure in `failed`.
   */
  private readonly at: Float64Array;
  private readonly failed: Uint8Array;
  private head = 0;
  private count = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = "closed";

  constructor({
    minimumCalls = 20,
    failureRatio = 0.6,
    windowMs = 60_000,
    openMs = 30_000,
    now = Date.now,
  }: CircuitBreakerOptions = {}) {
    this.minimumCalls = minimumCalls;
    this.failureRatio = failureRatio;
    this.windowMs = windowMs;
    this.openMs = openMs;
    this.now = now;
    const remembered = Math.max(1, minimumCalls * 5);
    this.at = new Float64Array(remembered);
    this.failed = new Uint8Array(remembered);
  }

  get state(): BreakerState {
    if (this.current === "open" && this.now() - this.openedAt >= this.openMs) return "half-open";
    return this.current;
  }

  /** Call before the dependency: throws CircuitOpenError when the call must not happen. */
  acquire(): void {
    const state = this.state;
    if (state === "closed") return;
    if (state === "half-open" && !this.probing) {
      this.probing = true;
      this.current = "half-open";
      return;
    }
    throw new CircuitOpenError(this.retryAfterMs());
  }

  /** While not closed: how long until a probe may go through (at least a second, for Retry-After). */
  retryAfterMs(): number {
    if (this.current === "closed") return 0;
    return Math.max(1_000, this.openMs - (this.now() - this.openedAt));
  }

  /** The call was cancelled by its caller: it says nothing about the dependency. */
  release(): void {
    if (this.current === "half-open" && this.probing) {
      this.probing = false;
      this.current = "open";
    }
  }

  success(): void {
    if (this.current === "half-open") {
      this.reset();
      return;
    }
    this.record(true);
  }

  failure(): void {
    if (this.current === "half-open") {
      this.trip();
      return;
    }
    this.record(false);
    if (this.count >= this.minimumCalls) {
      let failed = 0;
      for (let i = 0; i < this.count; i++) failed += this.failed[(this.head + i) % this.failed.length] ?? 0;
      if (failed / this.count >= this.failureRatio) this.trip();
    }
  }

  private record(ok: boolean): void {
    const now = this.now();
    const size = this.at.length;
    if (this.count === size) {
      this.head = (this.head + 1) % size;
      this.count--;
    }
    const slot = (this.head + this.count) % size;
    this.at[slot] = now;
    this.failed[slot] = ok ? 0 : 1;
    this.count++;
    const horizon = now - this.windowMs;
    while (this.count > 0 && (this.at[this.head] ?? now) < horizon) {
      this.head = (this.head + 1) % size;
      this.count--;
    }
  }

  private trip(): void {
    this.current = "open";
    this.openedAt = this.now();
    this.probing = false;
    this.count = 0;
  }

  private reset(): void {
    this.current = "closed";
    this.probing = false;
    this.count = 0;
  }
}
