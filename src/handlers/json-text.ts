import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import type { AppEnv } from "../app-env";

/**
 * JSON already written as text (an order the database rendered), answered as `c.json` answers a value:
 * the same body and Content-Type, typed as that value so the typed client (src/client.ts) sees `T`.
 */
export function jsonText<T, S extends ContentfulStatusCode>(
  c: Context<AppEnv>,
  text: string,
  status: S,
  headers: Record<string, string> = {},
) {
  const answer: Response = c.body(text, status, { ...headers, "Content-Type": "application/json" });
  return answer as Response & TypedResponse<JSONParsed<T>, S, "json">;
}
