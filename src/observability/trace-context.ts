/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate` a caller
 * sends, continued with a span of our own, or a new trace when there is none or it is malformed. Never
 * an error: a bad header is the caller's tracer's problem, not a reason to refuse the request.
 */
import type { Logger } from "./logger";

export interface TraceContext {
  traceId: string;
  /** This service's span: the parent of everything it calls (a webhook delivery, say). */
  spanId: string;
  /** The caller's span, when the trace was continued. */
  parentId?: string;
  /**
   * The trace flags: the sampled bit (bit 0) as received, every other bit cleared, since version 00
   * defines no other and "vendors MUST set those to zero" (3.2.2.5); `01` for a new trace.
   */
  flags: string;
  /** The vendors' state, as received, when it is within the specification's limits. */
  tracestate?: string;
}

const HEX = (length: number) => `[0-9a-f]{${length}}`;
const VERSION_00 = new RegExp(`^00-(${HEX(32)})-(${HEX(16)})-(${HEX(2)})$`);
/** A later version: the same first four fields, then anything after a dash ("3.3 Versioning of traceparent"). */
const LATER_VERSION = new RegExp(`^(?!ff)${HEX(2)}-(${HEX(32)})-(${HEX(16)})-(${HEX(2)})(?:-.*)?$`);
const ZEROS = /^0+$/;

/** The caller's trace id, span id and flags, or undefined for anything the specification says to ignore. */
export function parseTraceparent(
  header: string | undefined,
): { traceId: string; parentId: string; flags: string } | undefined {
  if (!header) return undefined;
  const m = VERSION_00.exec(header) ?? (header.startsWith("00-") ? null : LATER_VERSION.exec(header));
  if (!m) return undefined;
  const [, traceId = "", parentId = "", flags = ""] = m;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  // Only the sampled bit is defined, in version 00 and after ("3.2.2.5 trace-flags"): the rest are cleared.
  return { traceId, parentId, flags: (Number.parseInt(flags, 16) & 1).toString(16).padStart(2, "0") };
}

/** tracestate list members: a key (simple or multi-tenant) and an opaque value ("3.3.1 Header Name"). */
const MEMBER =
  /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;
/** What we carry on: the specification asks vendors to propagate at least 512 characters. */
const MAX_TRACESTATE = 512;

/** A header far beyond any list the specification allows is not even split. */
const MAX_TRACESTATE_HEADER = 8 * 1024;

/**
 * The tracestate to carry on, its optional whitespace removed, or undefined when it breaks the
 * specification's rules. The 512-character limit is the list's without that whitespace ("3.3.1.5").
 */
export function parseTracestate(header: string | undefined): string | undefined {
  if (!header || header.length > MAX_TRACESTATE_HEADER) return undefined;
  const members = header
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  if (members.length === 0 || members.length > MAX_MEMBERS) return undefined;
  if (!members.every((m) => MEMBER.test(m))) return undefined;
  const keys = members.map((m) => m.slice(0, m.indexOf("=")));
  const list = members.join(",");
  return new Set(keys).size === keys.length && list.length <= MAX_TRACESTATE ? list : undefined;
}

/**
 * Ids from the runtime's `crypto.randomUUID()`: one native call each, where drawing bytes and
 * writing them out in hex cost a tenth of a probe's CPU. A version-4 UUID's fixed bits keep both
 * ids from ever being all zeros (which the specification forbids): the trace id keeps the version
 * digit `4`, and the span id starts at the variant digit (8–b). The trace id's rightmost seven
 * bytes are all random (what Trace Context Level 2 asks of a random trace id).
 */
const uuidHex = (uuid: string) =>
  uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24);
const newTraceId = () => uuidHex(crypto.randomUUID());
export const newSpanId = () => {
  const uuid = crypto.randomUUID();
  return uuid.slice(19, 23) + uuid.slice(24);
};

/** The request's trace: the caller's continued with a new span, or a new one. `tracestate` is read only then. */
export function traceOf(traceparent: string | undefined, tracestate: () => string | undefined): TraceContext {
  const parent = traceparent === undefined ? undefined : parseTraceparent(traceparent);
  if (!parent) return { traceId: newTraceId(), spanId: newSpanId(), flags: "01" };
  const state = parseTracestate(tracestate());
  return {
    traceId: parent.traceId,
    spanId: newSpanId(),
    parentId: parent.parentId,
    flags: parent.flags,
    ...(state ? { tracestate: state } : {}),
  };
}

/**
 * A logger under the trace a `traceparent` names (work done off the request: the sweep, the queue
 * consumer), with a span of its own; the logger itself when there is none.
 */
export function traceLogger(logger: Logger, traceparent: string | undefined): Logger {
  const parent = parseTraceparent(traceparent);
  return parent ? logger.child({ trace_id: parent.traceId, span_id: newSpanId() }) : logger;
}

/** `traceparent` naming `spanId` as the parent: what a call made within this trace sends. */
export const traceparentOf = ({ traceId, flags }: Pick<TraceContext, "traceId" | "flags">, spanId: string) =>
  `00-${traceId}-${spanId}-${flags}`;
