/**
 * Prometheus metrics kept per isolate (Workers have no shared process memory): request latency by
 * route pattern, requests in flight, database call latency and the circuit breaker's state.
 * Exposed at /metrics; for fleet-wide numbers, bind Analytics Engine (docs/architecture.md).
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  observe(labels: Labels, seconds: number): void {
    // A series is named by its label values: each call site passes the same keys in the same order.
    let key = "";
    for (const name in labels) key += `${labels[name]}\u0000`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] ?? 0)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count++;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      BUCKETS.forEach((le, i) => {
        out.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

const escapeLabel = (v: string) => v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

export interface Metrics {
  observeRequest(labels: { method: string; route: string; status: string }, seconds: number): void;
  requestStarted(): void;
  requestFinished(): void;
  observeDb(labels: { outcome: "ok" | "error" | "cancelled" }, seconds: number): void;
  /** Adds to a counter of the order-events pipeline (EVENT_COUNTERS), by its labels. */
  count(name: EventCounter, labels?: Labels, by?: number): void;
  /** Sets a gauge that work outside requests measures (the sweep's oldest pending event). */
  setGauge(name: EventGauge, value: number): void;
  render(gauges: Record<string, { help: string; value: number; labels?: Labels }[]>): string;
}

/** The order-events pipeline's counters, with their help text. */
export const EVENT_COUNTERS = {
  webhook_deliveries_total:
    "Webhook delivery steps by outcome (delivered, retrying, failed, disabled, skipped; moved: to the slow lane; duplicate, not_due: a copy of a delivery under way).",
  events_handed_over_total: "Events handed to the queue, by who handed them (request, sweep).",
  webhook_endpoints_disabled_total: "Endpoints disabled, by reason (gone: a 410; failing: 5 days of failed attempts).",
  dead_letters_total: "Messages the events queue gave up on, by kind (delivery, event, sweep, purge, unknown).",
  queue_messages_ignored_total: "Messages on the events queue that are not event messages, acknowledged unread.",
} as const;
export type EventCounter = keyof typeof EVENT_COUNTERS;

export const EVENT_GAUGES = {
  events_oldest_pending_seconds: "Age of the oldest event not yet handed over, as of this isolate's last sweep.",
} as const;
export type EventGauge = keyof typeof EVENT_GAUGES;

export function createMetrics(): Metrics {
  const counters = new Map<string, { name: EventCounter; labels: Labels; value: number }>();
  const gauges = new Map<EventGauge, number>();
  const requests = new Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by method, route pattern and status.",
  );
  const db = new Histogram("db_query_duration_seconds", "Database round-trip latency by outcome.");
  let inFlight = 0;
  return {
    observeRequest: (labels, seconds) => requests.observe(labels, seconds),
    requestStarted: () => {
      inFlight++;
    },
    requestFinished: () => {
      inFlight--;
    },
    observeDb: (labels, seconds) => db.observe(labels, seconds),
    count(name, labels = {}, by = 1) {
      const key = [name, ...Object.values(labels)].join("\u0000");
      const counter = counters.get(key) ?? { name, labels, value: 0 };
      counter.value += by;
      counters.set(key, counter);
    },
    setGauge(name, value) {
      gauges.set(name, value);
    },
    render(extraGauges) {
      const lines = [
        ...requests.render(),
        "# HELP http_requests_in_flight Requests being served by this isolate.",
        "# TYPE http_requests_in_flight gauge",
        `http_requests_in_flight ${inFlight}`,
        ...db.render(),
      ];
      for (const name of Object.keys(EVENT_COUNTERS) as EventCounter[]) {
        lines.push(`# HELP ${name} ${EVENT_COUNTERS[name]}`, `# TYPE ${name} counter`);
        for (const c of counters.values()) if (c.name === name) lines.push(`${name}${labelText(c.labels)} ${c.value}`);
      }
      for (const name of Object.keys(EVENT_GAUGES) as EventGauge[]) {
        lines.push(`# HELP ${name} ${EVENT_GAUGES[name]}`, `# TYPE ${name} gauge`, `${name} ${gauges.get(name) ?? 0}`);
      }
      for (const [name, series] of Object.entries(extraGauges)) {
        lines.push(`# HELP ${name} ${series[0]?.help ?? ""}`, `# TYPE ${name} gauge`);
        for (const s of series) lines.push(`${name}${labelText(s.labels ?? {})} ${s.value}`);
      }
      return `${lines.join("\n")}\n`;
    },
  };
}
