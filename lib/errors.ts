/** An error whose message is safe to show to the person who caused it, with the HTTP status that fits. */
export class ChatError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 503,
    message: string,
  ) {
    super(message);
    this.name = "ChatError";
  }
}
