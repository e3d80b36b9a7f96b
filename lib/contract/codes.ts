/**
 * The machine-readable half of every refusal: each `{error}` the server sends — an HTTP body, a request event's
 * ack, a refused handshake — carries a `code` beside the words, so that a program acts on the code and only a
 * person reads the words (which may change). Plain values, no zod: the page imports them.
 */

export const ERROR_CODES = [
  /** The input is wrong (a field, a query, a JSON body): fix it, do not retry as it is. */
  "invalid",
  /** No valid session: log in again. */
  "unauthorized",
  /** Known, but not yours to do (another site's request, not a group's owner, a reserved name). */
  "forbidden",
  /** No such thing, or none that you may see (the two are one answer, so nothing leaks). */
  "not-found",
  /** It clashes with what is stored: a name taken, a clientId already used for another message. */
  "conflict",
  /** The body is larger than the server takes. */
  "too-large",
  /** The body is not of a type this route reads. */
  "unsupported-type",
  /** Too many of these too fast: try again after `retryAfterSeconds`. */
  "rate-limited",
  /** This person already has as many connections open as allowed: close some. */
  "too-many-connections",
  /** The server or its store is busy for a moment: try again shortly. */
  "busy",
  /** The store has no room: try again later (an operator has to free space). */
  "store-full",
  /** Something failed on the server: try again; it is logged. */
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A refusal as it travels: the sentence for people, the code for programs, and when a passing one ends. */
export interface Refusal {
  error: string;
  code: ErrorCode;
  /** Set when the refusal passes: seconds until asking again can succeed (HTTP also says it in Retry-After). */
  retryAfterSeconds?: number;
}

/** The code an HTTP status means when nothing more specific is said. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "invalid";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not-found";
    case 409:
      return "conflict";
    case 413:
      return "too-large";
    case 415:
      return "unsupported-type";
    case 429:
      return "rate-limited";
    case 503:
      return "busy";
    case 507:
      return "store-full";
    default:
      return "internal";
  }
}

/** Whether a refusal says to come back (and the same request may then succeed), rather than to change something. */
export function isPassing(code: ErrorCode): boolean {
  return code === "rate-limited" || code === "busy" || code === "store-full" || code === "internal";
}
