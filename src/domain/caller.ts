export const ROLES = ["customer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as proven by their token: services take it explicitly. */
export interface Caller {
  /** The customer id (the token's `sub`, a UUID). */
  id: string;
  role: Role;
}

export const isAdmin = (caller: Caller) => caller.role === "admin";
