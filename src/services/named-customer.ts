import { type Caller, type Customer, OWN_ISSUER } from "../domain/caller";
import { isUuid } from "../lib/uuid";

/**
 * The customer an admin names by `customer_id`: one of the admin's own issuer, whose subjects that
 * issuer's tokens name (this service's UUIDs in lower case, a provider's exactly as written).
 */
export const namedCustomer = (admin: Caller, subject: string): Customer => ({
  id: admin.issuer === OWN_ISSUER && isUuid(subject) ? subject.toLowerCase() : subject,
  issuer: admin.issuer,
});
