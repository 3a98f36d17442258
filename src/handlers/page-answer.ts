import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { ListPosition, Page } from "../services/keyset-page";
import type { CursorCodec, CursorScope } from "./cursor";
import { jsonText } from "./json-text";

/** A listing's page size when the query names none (docs/API.md, "Pagination"). */
export const DEFAULT_PAGE = 20;

type PageQuery = { limit?: number; cursor?: string };
type Load<T> = (page: { limit: number; after?: ListPosition }) => Promise<Page<T>>;

/**
 * A page and its `page` member, `{limit, next_cursor}`: the query's cursor opened and the next one sealed
 * for the same scope (caller and filters), so a cursor is good only for the listing that issued it.
 */
async function loadPage<T>(cursors: CursorCodec, scope: CursorScope, query: PageQuery, load: Load<T>) {
  const limit = query.limit ?? DEFAULT_PAGE;
  const page = await load({ limit, after: query.cursor ? await cursors.decode(query.cursor, scope) : undefined });
  return { items: page.items, page: { limit, next_cursor: page.next ? await cursors.encode(page.next, scope) : null } };
}

/** A listing's answer, `{data, page}`, each item rendered here. */
export async function pageAnswer<T, J>(
  c: Context<AppEnv>,
  cursors: CursorCodec,
  scope: CursorScope,
  query: PageQuery,
  load: Load<T>,
  render: (item: T) => J,
) {
  const { items, page } = await loadPage(cursors, scope, query, load);
  return c.json({ data: items.map(render), page });
}

/** A listing's answer whose items the database rendered as JSON text: the same bytes as `pageAnswer`'s. */
export async function renderedPageAnswer<J>(
  c: Context<AppEnv>,
  cursors: CursorCodec,
  scope: CursorScope,
  query: PageQuery,
  load: Load<{ json: string }>,
) {
  const { items, page } = await loadPage(cursors, scope, query, load);
  const text = `{"data":[${items.map((item) => item.json).join(",")}],"page":${JSON.stringify(page)}}`;
  return jsonText<{ data: J[]; page: typeof page }, 200>(c, text, 200);
}
