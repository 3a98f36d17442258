import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { ListPosition, Page } from "../services/keyset-page";
import type { CursorCodec, CursorScope } from "./cursor";

/** A listing's page size when the query names none (docs/API.md, "Pagination"). */
export const DEFAULT_PAGE = 20;

/**
 * A listing's answer, `{data, page: {limit, next_cursor}}`: the query's cursor opened and the next one
 * sealed for the same scope (caller and filters), so a cursor is good only for the listing that issued it.
 */
export async function pageAnswer<T, J>(
  c: Context<AppEnv>,
  cursors: CursorCodec,
  scope: CursorScope,
  query: { limit?: number; cursor?: string },
  load: (page: { limit: number; after?: ListPosition }) => Promise<Page<T>>,
  render: (item: T) => J,
) {
  const limit = query.limit ?? DEFAULT_PAGE;
  const page = await load({ limit, after: query.cursor ? await cursors.decode(query.cursor, scope) : undefined });
  return c.json({
    data: page.items.map(render),
    page: { limit, next_cursor: page.next ? await cursors.encode(page.next, scope) : null },
  });
}
