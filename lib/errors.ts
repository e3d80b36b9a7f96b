const BRAND = Symbol.for("p2p-chat.ChatError");

/**
 * An error whose message is safe to show to the person who caused it, with the HTTP status that fits:
 * 409 a clientId already used for another message, 429 too many requests, 503 a busy server or store (try again
 * shortly), 507 a full store (try again later).
 */
export class ChatError extends Error {
  readonly [BRAND] = true;

  /** For a refusal that passes: when to ask again (HTTP answers say so in Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429 | 503 | 507,
    message: string,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "ChatError";
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * Route handlers are bundled apart from the server, so the class they import is not the one that
   * threw: recognise the error by its brand, not by `instanceof`.
   */
  static is(error: unknown): error is ChatError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }
}
