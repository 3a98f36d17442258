import type { ListPosition } from "../../src/services/keyset-page";

/** Newest first, as the keyset listings order: (time, id) descending. */
export const newestFirst =
  <T extends { id: string }>(at: (row: T) => Date) =>
  (a: T, b: T) =>
    at(b).getTime() - at(a).getTime() || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);

/** The rows after a newest-first page's last position: older, or as old with a smaller id. */
export const olderThan =
  <T extends { id: string }>(at: (row: T) => Date, after?: ListPosition) =>
  (row: T) =>
    !after ||
    at(row).getTime() < after.createdAt.getTime() ||
    (at(row).getTime() === after.createdAt.getTime() && row.id < after.id);
