/**
 * Refusals as both clients read them: by their `code` (lib/contract/codes.ts), wherever they come from — a request's
 * ack, an HTTP error body, a refused handshake's `connect_error` — and never by the server's words, which are for
 * people and may change. Also the two failures that have no answer to read: no ack in time, and no connection.
 */
import { codeForStatus, ERROR_CODES, type ErrorCode, type Refusal } from "../contract/codes";

const isErrorCode = (value: unknown): value is ErrorCode => (ERROR_CODES as readonly unknown[]).includes(value);

/** The refusal in an `{error, code, retryAfterSeconds?}` the server sent; `otherwise` for a code it did not give. */
function readRefusal(body: unknown, otherwise: { error: string; code: ErrorCode }): Refusal {
  const { error, code, retryAfterSeconds } = (body ?? {}) as Partial<Record<keyof Refusal, unknown>>;
  return {
    error: typeof error === "string" ? error : otherwise.error,
    code: isErrorCode(code) ? code : otherwise.code,
    ...(typeof retryAfterSeconds === "number" ? { retryAfterSeconds } : {}),
  };
}

/** A request event's `{ok: false, …}` ack. */
export const ackRefusal = (ack: { ok: false }): Refusal => readRefusal(ack, { error: "refused", code: "internal" });

/**
 * An HTTP error answer: its `{error, code}` body, or — from something that is not the chat (a proxy's page) — the
 * code its status means and `words` for people.
 */
export const httpRefusal = (status: number, body: unknown, words: string): Refusal =>
  readRefusal(body, { error: words, code: codeForStatus(status) });

/** What a refused handshake means for the client. */
export type HandshakeVerdict =
  /** The session is not (or no longer) valid: the person is signed out and has to log in again. */
  | { kind: "signed-out"; refusal: Refusal }
  /** Too many handshakes from this address for now: try again after `seconds`, by itself. */
  | { kind: "wait"; seconds: number; refusal: Refusal }
  /** Anything else (too many connections of this person, a cross-site page, a server fault): final. */
  | { kind: "refused"; refusal: Refusal };

export function judgeHandshake(error: Error & { data?: unknown }): HandshakeVerdict {
  const refusal = readRefusal(error.data, { error: error.message, code: "internal" });
  if (refusal.code === "unauthorized") return { kind: "signed-out", refusal };
  // Never 0: a server saying so would otherwise be asked again in a tight loop.
  if (refusal.code === "rate-limited")
    return { kind: "wait", seconds: Math.max(1, refusal.retryAfterSeconds ?? 1), refusal };
  return { kind: "refused", refusal };
}

/** A request the server answered with a refusal: `message` is its words, `refusal.code` what a program acts on. */
export class RefusedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.error);
  }
}

export const noAnswerWords = (waitedMs: number) => `no answer from the server within ${waitedMs / 1000} s`;
export const notConnectedWords = (waitedMs: number) => `not connected to the server (waited ${waitedMs / 1000} s)`;

/** A request that reached the server, or may have, without an answer within the time allowed. */
export class NoAnswerError extends Error {
  constructor(waitedMs: number) {
    super(noAnswerWords(waitedMs));
  }
}

/** A request that could not go out: the connection was not back within the time allowed. */
export class NotConnectedError extends Error {
  constructor(waitedMs: number) {
    super(notConnectedWords(waitedMs));
  }
}
