/**
 * The one error the domain throws at a caller: a sentence safe to show to the person who caused it, the HTTP status
 * that fits, and the wire's machine-readable code (lib/contract/codes.ts). Every door turns it into its refusal:
 * an HTTP `{error, code}` with the status, an ack `{ok: false, error, code}`, a refused handshake's `data`.
 */
import { codeForStatus, type ErrorCode, type Refusal } from "./contract/codes";

const BRAND = Symbol.for("p2p-chat.ChatError");

export type ChatErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503 | 507;

export class ChatError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  /** For a refusal that passes: when to ask again (HTTP answers say so in Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: ChatErrorStatus,
    message: string,
    options: { code?: ErrorCode; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "ChatError";
    this.code = options.code ?? codeForStatus(status);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * Route handlers are bundled apart from the server, so the class they import is not the one that
   * threw: recognise the error by its brand, not by `instanceof`.
   */
  static is(error: unknown): error is ChatError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }

  /** What the wire carries of it. */
  toRefusal(): Refusal {
    return {
      error: this.message,
      code: this.code,
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    };
  }
}

/**
 * The one "busy: try again" (503): the store's lock is held elsewhere past its wait, the password-hashing queue is
 * full, or a counter kept losing its race. Nothing was changed, so the same request may simply be sent again.
 */
export function busyError(what: "store" | "server", options: { retryAfterSeconds?: number } = {}): ChatError {
  return new ChatError(503, `the ${what} is busy: try again`, { code: "busy", ...options });
}

/** Whether an error is that refusal. */
export function isBusyError(error: unknown): boolean {
  return ChatError.is(error) && error.code === "busy";
}

/** An internal failure as a caller hears it; the cause goes to the log, not to them. */
export const INTERNAL_ERROR: Refusal = { error: "internal error, please retry", code: "internal" };
