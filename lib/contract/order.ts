/**
 * The one order of messages everywhere (store, page, terminal): by time, and by id between messages
 * stored in the same millisecond, so two lists of the same messages always come out the same.
 * Free of zod and Node so the page can import it.
 */
export interface Chronological {
  id: string;
  /** A Date (store rows) or an ISO 8601 string (messages on the wire). */
  timestamp: Date | string;
}

const millis = (timestamp: Date | string) =>
  typeof timestamp === "string" ? Date.parse(timestamp) : timestamp.getTime();

/** Oldest first; pass `(b, a)` for newest first. */
export function compareChronologically(a: Chronological, b: Chronological): number {
  return millis(a.timestamp) - millis(b.timestamp) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
