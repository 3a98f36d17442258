const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any RFC 9562 textual UUID, in either case (ids, token subjects). */
export const isUuid = (value: string): boolean => UUID.test(value);
