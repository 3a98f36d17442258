import { AppError } from "./app-error";

export const ROLES = ["customer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * A customer: a subject within its issuer (OIDC Core §5.7; RFC 8725 §3.8). Two issuers' equal subjects
 * are two customers, so records are kept and found by both.
 */
export interface Customer {
  /**
   * The token's `sub` as its issuer names it: a UUID for this service's own tokens (in lower case),
   * any 1–255 visible ASCII characters, exactly as written, for an identity provider's.
   */
  id: string;
  /** "" for this service's own tokens; the provider's `iss` for its tokens. */
  issuer: string;
}

/** Who is asking, as proven by their token: services take it explicitly. */
export interface Caller extends Customer {
  role: Role;
}

/** This service's own tokens' issuer. */
export const OWN_ISSUER = "";

export const isAdmin = (caller: Caller) => caller.role === "admin";

/** The customer a caller is (a caller object carries its role too, which storage has no use for). */
export const customerOf = ({ id, issuer }: Customer): Customer => ({ id, issuer });

/**
 * One string per customer, for keys that name callers (the per-caller rate limit, page cursors): this service's own
 * customers by their id, as before issuers were told apart; a provider's with its issuer.
 */
export const callerKey = ({ id, issuer }: Customer): string => (issuer === OWN_ISSUER ? id : `${issuer} ${id}`);

/** Whose records a caller sees: a customer only their own; an admin everyone's (undefined). */
export const scopeOf = (caller: Caller): Customer | undefined => (isAdmin(caller) ? undefined : customerOf(caller));

/** An admin's operation: FORBIDDEN for anyone else, whatever route reached it. */
export function requireAdmin(caller: Caller): void {
  if (!isAdmin(caller)) throw new AppError("FORBIDDEN", { message: "requires the admin role" });
}
