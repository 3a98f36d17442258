import { AppError } from "../domain/app-error";

/** Strong ETag from a resource's version (an order's, a webhook endpoint's): it changes with every change. */
export const etagOf = (resource: { version: number }) => `"v${resource.version}"`;

/** Versions are stored as a Postgres integer: no tag beyond this was ever issued. */
const MAX_VERSION = 2_147_483_647;

/**
 * The version an `If-Match` header asks for: `undefined` for `*` (any current version), a number
 * for one of our tags, null when it can never match (a weak tag, a list, a tag we never issued,
 * a version beyond any storable one) — answered 412 without asking the database.
 */
export function versionFromIfMatch(header: string): number | undefined | null {
  const value = header.trim();
  if (value === "*") return undefined;
  const m = /^"v([1-9]\d{0,9})"$/.exec(value);
  const version = m ? Number(m[1]) : Number.NaN;
  return version <= MAX_VERSION ? version : null;
}

/** The version `If-Match` asks for (undefined: any); one that can never match is 412 at once. */
export function expectedVersion(ifMatch: string | undefined): number | undefined {
  const version = ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch);
  if (version === null) throw new AppError("PRECONDITION_FAILED");
  return version;
}
