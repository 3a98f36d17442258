import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { ListPosition, Page } from "../services/keyset-page";
import type { CursorCodec, CursorScope } from "./cursor";
import { jsonText } from "./json-text";

/** A listing's page size when the query names none (docs/API.md, "Pagination"). */
export const DEFAULT_PAGE = 20;

type PageQuery = { limit?: number; cursor?: string };
type Load<P> = (page: { limit: number; after?: ListPosition }) => Promise<P>;

/**
 * A page and its `page` member, `{limit, next_cursor}`: the query's cursor opened and the next one sealed
 * for the same scope (caller and filters), so a cursor is good only for the listing that issued it.
 */
async function loadPage<P extends { next: ListPosition | null }>(
  cursors: CursorCodec,
  scope: CursorScope,
  query: PageQuery,
  load: Load<P>,
) {
  const limit = query.limit ?? DEFAULT_PAGE;
  const loaded = await load({ limit, after: query.cursor ? await cursors.decode(query.cursor, scope) : undefined });
  return { loaded, page: { limit, next_cursor: loaded.next ? await cursors.encode(loaded.next, scope) : null } };
}

/** A listing's answer, `{data, page}`, each item rendered here. */
export async function pageAnswer<T, J>(
  c: Context<AppEnv>,
  cursors: CursorCodec,
  scope: CursorScope,
  query: PageQuery,
  load: Load<Page<T>>,
  render: (item: T) => J,
) {
  const { loaded, page } = await loadPage(cursors, scope, query, load);
  return c.json({ data: loaded.items.map(render), page });
}

/** A listing's answer whose items the database rendered as one JSON array: the same bytes as `pageAnswer`'s. */
export async function renderedPageAnswer<J>(
  c: Context<AppEnv>,
  cursors: CursorCodec,
  scope: CursorScope,
  query: PageQuery,
  load: Load<{ json: string; next: ListPosition | null }>,
) {
  const { loaded, page } = await loadPage(cursors, scope, query, load);
  const text = `{"data":${loaded.json},"page":${JSON.stringify(page)}}`;
  return jsonText<{ data: J[]; page: typeof page }, 200>(c, text, 200);
}
