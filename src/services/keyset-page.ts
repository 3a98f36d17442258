/** Keyset position in a listing newest first: items strictly older than this one (time, then id). */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

/** A page of a keyset listing, newest first: the items and where the next page starts (null: the last). */
export interface Page<T> {
  items: T[];
  next: ListPosition | null;
}

/**
 * The page from rows fetched with one more than `limit`: that extra row tells whether another page
 * exists, in the same query. `at` is the row's time in the listing's (time, id) order.
 */
export function pageOf<T extends { id: string }>(rows: T[], limit: number, at: (row: T) => Date): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: at(last), id: last.id } : null };
}
