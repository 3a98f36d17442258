import { env } from "cloudflare:workers";
import { createDatabase, type Database } from "../../src/repositories/database";

/** The local SQL server's control API, next to its /sql endpoint. */
export const controlUrl = (path: string) => env.DATABASE_HTTP_ENDPOINT.replace(/\/sql$/, `/_control/${path}`);

/** A fresh, migrated database of its own (the server creates it on first use). */
export function freshDatabase(prefix: string, timeoutMs = 5_000): { db: Database; url: string; name: string } {
  const name = `ot_${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const url = `postgres://test:test@localhost/${name}`;
  return { db: createDatabase({ url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs }), url, name };
}

export interface ServerStats {
  roundTrips: number;
  queries: number;
  byDatabase: Record<string, { roundTrips: number; queries: number }>;
}

export async function serverStats(): Promise<ServerStats> {
  return (await fetch(controlUrl("stats"))).json();
}

export async function injectFaults(faults: {
  latencyMs?: number;
  status?: number;
  drop?: boolean;
  times?: number;
  database?: string;
}): Promise<void> {
  await fetch(controlUrl("faults"), { method: "POST", body: JSON.stringify(faults) });
}

export async function clearFaults(): Promise<void> {
  await fetch(controlUrl("faults"), { method: "DELETE" });
}
