export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/**
 * The small part of Workers' tracing API the code calls (`ctx.tracing`, the runtime's `Tracing`): the
 * attributes that make a trace useful on the request's span, and a span of our own around a database
 * call. Where the runtime offers no tracing (tests that call the app directly) or the request is not
 * sampled, it does nothing.
 * Workers' automatic traces (`[observability.traces]` in wrangler.toml) record the spans:
 * https://developers.cloudflare.com/workers/observability/traces/.
 */
export interface Tracer {
  /** Sets attributes on the active span (the request's, when called outside `span`). */
  annotate(attributes: SpanAttributes): void;
  span<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T>;
}

export const noTracer: Tracer = {
  annotate() {},
  span: (_name, _attributes, work) => work(),
};

/** The span Workers' tracing hands a callback: what the code calls of it. */
interface PlatformSpan {
  setAttributes(attributes: SpanAttributes): unknown;
  setStatus(status: { code: "error"; message: string }): unknown;
  end(): void;
}

/** What the code calls of Workers' `Tracing` (`ctx.tracing`), which the runtime's type satisfies. */
export interface PlatformTracing {
  getActiveSpan(): { readonly isTraced: boolean; setAttributes(attributes: SpanAttributes): unknown } | undefined;
  enterSpan<T>(name: string, callback: (span: PlatformSpan) => T): T;
}

/** Methods on the prototype: one small object per request, not a closure per method. */
class PlatformTracer implements Tracer {
  private readonly tracing: PlatformTracing;

  constructor(tracing: PlatformTracing) {
    this.tracing = tracing;
  }

  annotate(attributes: SpanAttributes): void {
    this.tracing.getActiveSpan()?.setAttributes(attributes);
  }

  span<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T> {
    return this.tracing.enterSpan(name, async (span) => {
      span.setAttributes(attributes);
      try {
        return await work();
      } catch (err) {
        span.setStatus({ code: "error", message: (err as { code?: string }).code ?? (err as Error).name });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}

/**
 * The request's tracer: Workers' tracing when the request is sampled, the no-op otherwise. An unsampled
 * request's spans are recorded nowhere, so none is opened (`Span#isTraced`, "whether the current request
 * is being sampled": https://developers.cloudflare.com/changelog/post/2026-06-16-custom-spans/); production
 * samples a tenth of requests (`head_sampling_rate`, wrangler.toml), and `wrangler dev` none.
 */
export const platformTracer = (tracing: PlatformTracing | undefined): Tracer =>
  tracing?.getActiveSpan()?.isTraced ? new PlatformTracer(tracing) : noTracer;
