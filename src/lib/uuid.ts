const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any RFC 9562 textual UUID, in either case (ids, token subjects). */
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * A token subject as orders are keyed by it: a UUID in lower case (so one customer is one key however
 * an issuer cases it), anything else exactly as its issuer wrote it (provider subjects are case-sensitive).
 */
export const canonicalSubject = (subject: string): string => (isUuid(subject) ? subject.toLowerCase() : subject);
