type Attributes = Record<string, string | number | boolean | undefined>;

/**
 * The small part of Workers' tracing API the code calls (`ctx.tracing`, the runtime's `Tracing`): the
 * attributes that make a trace useful on the request's span, and a span of our own around a database
 * call. Where the runtime offers no tracing (tests that call the app directly), it does nothing.
 * Workers' automatic traces (`[observability.traces]` in wrangler.toml) record the spans:
 * https://developers.cloudflare.com/workers/observability/traces/.
 */
export interface Tracer {
  /** Sets attributes on the active span (the request's, or the database call's inside `span`). */
  annotate(attributes: Attributes): void;
  span<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T>;
}

export const noTracer: Tracer = {
  annotate() {},
  span: (_name, _attributes, work) => work(),
};

export function platformTracer(tracing: Tracing | undefined): Tracer {
  if (!tracing) return noTracer;
  return {
    annotate(attributes) {
      tracing.getActiveSpan()?.setAttributes(attributes);
    },
    span(name, attributes, work) {
      return tracing.enterSpan(name, async (span) => {
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
    },
  };
}
