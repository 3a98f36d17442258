export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/**
 * The small part of Workers' tracing API the code calls (`ctx.tracing`, the runtime's `Tracing`): the
 * attributes that make a trace useful on the request's span, and a span of our own around a database
 * call. Where the runtime offers no tracing (tests that call the app directly), it does nothing.
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

/** Methods on the prototype: one small object per request, not a closure per method. */
class PlatformTracer implements Tracer {
  constructor(private readonly tracing: Tracing) {}

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

export const platformTracer = (tracing: Tracing | undefined): Tracer =>
  tracing ? new PlatformTracer(tracing) : noTracer;
