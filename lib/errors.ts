const BRAND = Symbol.for("p2p-chat.ChatError");

/**
 * An error whose message is safe to show to the person who caused it, with the HTTP status that fits:
 * 409 a clientId already used for another message, 503 a busy server or store (try again shortly), 507 a full
 * store (try again later).
 */
export class ChatError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429 | 503 | 507,
    message: string,
  ) {
    super(message);
    this.name = "ChatError";
  }

  /**
   * Route handlers are bundled apart from the server, so the class they import is not the one that
   * threw: recognise the error by its brand, not by `instanceof`.
   */
  static is(error: unknown): error is ChatError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }
}
