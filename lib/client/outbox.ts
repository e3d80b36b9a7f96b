/**
 * The outbox: every message written here, from the moment it is written until the server has stored it. Each gets
 * a clientId of its own, and one cut off by a dropped connection (stored, perhaps, with its answer lost on the way
 * back) goes again on the next connection under the same clientId: the server answers a resend with the message it
 * stored and never stores it twice. One message is sent at most `attempts` times, each waiting `ackTimeoutMs` for
 * its answer; connected and still unanswered, it fails. A refusal fails it too, and only one whose code passes
 * (`isPassing`: busy, rate-limited, …) may be tried again; any other is final.
 */
import { type ErrorCode, isPassing } from "../contract/codes";
import type { SendAck } from "../contract/events";
import type { ChatMessage } from "../contract/payloads";
import { newClientId } from "./client-id";
import { openIncoming, sealOutgoing } from "./content";
import { ackRefusal, noAnswerWords, notConnectedWords } from "./refusals";
import type { CoreSocket } from "./socket";

export type OutboxState = "queued" | "sending" | "failed" | "sent";
/** The states before the server stored it, through which an entry changes. */
type UnsentState = Exclude<OutboxState, "sent">;

export interface SendFailure {
  /** The server's code when it refused; `no-answer` or `not-connected` when there was no answer to read. */
  code: ErrorCode | "no-answer" | "not-connected";
  /** For people: the server's words, or the client's when there were none. */
  error: string;
  /** Whether sending it again may succeed: a refusal whose code passes, or a send that got no answer. */
  retryable: boolean;
}

/** Whether the server answered with a refusal, rather than not answering at all. */
export const wasRefused = (failure: SendFailure): boolean =>
  failure.code !== "no-answer" && failure.code !== "not-connected";

/** One message in the outbox, as it is now; every change makes a new one. */
export interface OutboxEntry {
  readonly clientId: string;
  /** Changes only when the group it is for is renamed. */
  readonly destination: string;
  readonly message: string;
  /** When it was written (ISO 8601), to show it in place until the server's copy replaces it. */
  readonly timestamp: string;
  /** queued: waits for a connection; sending: out, no answer yet; failed: see `failure`; sent: stored. */
  readonly state: OutboxState;
  readonly failure?: SendFailure;
}

export type SendOutcome =
  | { ok: true; message: ChatMessage; online: boolean }
  | { ok: false; failure: SendFailure; clientId: string };

/** What happened to an entry, for a client that shows the outbox (the page). */
export type OutboxChange =
  | { kind: "added"; entry: OutboxEntry }
  | { kind: "state"; entry: OutboxEntry & { state: UnsentState } }
  | { kind: "sent"; entry: OutboxEntry; message: ChatMessage; online: boolean }
  | { kind: "discarded"; entry: OutboxEntry };

export interface OutboxOptions {
  ackTimeoutMs: number;
  /** How many times one message is sent (each time on a new connection) before it fails without an answer. */
  attempts: number;
  /** How long a message waits for a connection before it fails; left out, as long as it takes. */
  connectionWaitMs?: number;
  onChange?: (change: OutboxChange) => void;
}

interface Pending {
  entry: OutboxEntry;
  /** Sends since it was written or retried, for the bound on attempts. */
  tries: number;
  /** Which send is the latest: an answer to any earlier one is moot. */
  latestSend: number;
  settle: (outcome: SendOutcome) => void;
  connectionWait?: ReturnType<typeof setTimeout>;
}

export class Outbox {
  private readonly pending = new Map<string, Pending>();
  private sends = 0;

  constructor(
    private readonly socket: CoreSocket,
    private readonly options: OutboxOptions,
  ) {}

  /** Sends now when connected, else once the connection is back; resolves once it was stored or failed. */
  send(destination: string, message: string): Promise<SendOutcome> {
    const entry: OutboxEntry = {
      clientId: newClientId(),
      destination,
      message,
      timestamp: new Date().toISOString(),
      state: "queued",
    };
    return new Promise((settle) => {
      const pending: Pending = { entry, tries: 0, latestSend: 0, settle };
      this.pending.set(entry.clientId, pending);
      this.options.onChange?.({ kind: "added", entry });
      this.dispatch(pending);
    });
  }

  /** Sends a failed message again, under its clientId, if its failure allows; resolves like `send`. */
  retry(clientId: string): Promise<SendOutcome> | undefined {
    const pending = this.pending.get(clientId);
    if (pending?.entry.state !== "failed" || !pending.entry.failure?.retryable) return undefined;
    return new Promise((settle) => {
      pending.settle = settle;
      pending.tries = 0;
      this.dispatch(pending);
    });
  }

  /** Forgets a failed message. */
  discard(clientId: string): void {
    const pending = this.pending.get(clientId);
    if (pending?.entry.state !== "failed") return;
    this.pending.delete(clientId);
    this.options.onChange?.({ kind: "discarded", entry: pending.entry });
  }

  /** A group was renamed: what waits for it goes to the new name (the server knows groups by id: a resend matches). */
  renameDestination(from: string, to: string): void {
    for (const pending of this.pending.values()) {
      if (pending.entry.destination === from) pending.entry = { ...pending.entry, destination: to };
    }
  }

  /** The connection is up again: what waited goes out, and what was out when it dropped goes again. */
  connected(): void {
    for (const pending of this.pending.values()) {
      if (pending.entry.state === "queued" || pending.entry.state === "sending") this.emit(pending);
    }
  }

  /** Stops the timers; nothing is sent any more. */
  close(): void {
    for (const pending of this.pending.values()) clearTimeout(pending.connectionWait);
    this.pending.clear();
  }

  private dispatch(pending: Pending): void {
    if (this.socket.connected) this.emit(pending);
    else this.wait(pending);
  }

  private wait(pending: Pending): void {
    this.update(pending, { state: "queued" });
    const waitMs = this.options.connectionWaitMs;
    if (waitMs === undefined || pending.connectionWait) return;
    pending.connectionWait = setTimeout(
      () => this.fail(pending, { code: "not-connected", error: notConnectedWords(waitMs), retryable: true }),
      waitMs,
    );
  }

  private emit(pending: Pending): void {
    clearTimeout(pending.connectionWait);
    pending.connectionWait = undefined;
    pending.tries += 1;
    this.sends += 1;
    const send = this.sends;
    pending.latestSend = send;
    this.update(pending, { state: "sending" });
    const { ackTimeoutMs, attempts } = this.options;
    this.socket.timeout(ackTimeoutMs).emit("message:send", sealOutgoing(pending.entry), (timedOut, reply) => {
      if (this.pending.get(pending.entry.clientId) !== pending || pending.latestSend !== send) return;
      if (!timedOut) this.answered(pending, reply);
      // Cut off with its connection: the next connection sends it again. Connected and silent: it failed.
      else if (!this.socket.connected && pending.tries < attempts) this.wait(pending);
      else this.fail(pending, { code: "no-answer", error: noAnswerWords(ackTimeoutMs), retryable: true });
    });
  }

  private answered(pending: Pending, reply: SendAck): void {
    if (!reply.ok) {
      const { code, error } = ackRefusal(reply);
      this.fail(pending, { code, error, retryable: isPassing(code) });
      return;
    }
    this.pending.delete(pending.entry.clientId);
    const entry: OutboxEntry = { ...pending.entry, state: "sent", failure: undefined };
    const message = openIncoming(reply.message);
    this.options.onChange?.({ kind: "sent", entry, message, online: reply.online });
    pending.settle({ ok: true, message, online: reply.online });
  }

  private fail(pending: Pending, failure: SendFailure): void {
    clearTimeout(pending.connectionWait);
    pending.connectionWait = undefined;
    this.update(pending, { state: "failed", failure });
    pending.settle({ ok: false, failure, clientId: pending.entry.clientId });
  }

  private update(pending: Pending, change: { state: UnsentState; failure?: SendFailure }): void {
    if (change.state === pending.entry.state && change.failure === pending.entry.failure) return;
    const entry = { ...pending.entry, state: change.state, failure: change.failure };
    pending.entry = entry;
    this.options.onChange?.({ kind: "state", entry });
  }
}
