import { AppError } from "./app-error";

export const ROLES = ["customer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as proven by their token: services take it explicitly. */
export interface Caller {
  /**
   * The customer id: the token's `sub` as its issuer names it, a UUID for this service's own tokens
   * (in lower case), any 1–255 visible ASCII characters for an identity provider's.
   */
  id: string;
  role: Role;
}

export const isAdmin = (caller: Caller) => caller.role === "admin";

/** Whose records a caller sees: a customer only their own (their id); an admin everyone's (undefined). */
export const scopeOf = (caller: Caller) => (isAdmin(caller) ? undefined : caller.id);

/** An admin's operation: FORBIDDEN for anyone else, whatever route reached it. */
export function requireAdmin(caller: Caller): void {
  if (!isAdmin(caller)) throw new AppError("FORBIDDEN", { message: "requires the admin role" });
}
