import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import * as schema from "./schema";

export type Database = NeonHttpDatabase<typeof schema>;

export interface DatabaseOptions {
  /** Postgres connection string (Neon's, or any that parses when a local endpoint is set). */
  url: string;
  /** Send SQL-over-HTTP here instead of Neon: the local server of `npm run dev` and the tests. */
  httpEndpoint?: string;
  /** Deadline of every database round trip. */
  timeoutMs: number;
}

/** Aborts when the caller's signal does, or when the deadline passes, whichever comes first. */
function withDeadline(signal: AbortSignal | null | undefined, ms: number): AbortSignal {
  const deadline = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, deadline]) : deadline;
}

/**
 * Drizzle over Neon's HTTP driver. The driver's endpoint and fetch are global to the isolate,
 * which holds exactly one database, so they are set here once.
 */
export function createDatabase({ url, httpEndpoint, timeoutMs }: DatabaseOptions): Database {
  if (httpEndpoint) neonConfig.fetchEndpoint = httpEndpoint;
  neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, signal: withDeadline(init?.signal, timeoutMs) });
  return drizzle({ client: neon(url), schema });
}
