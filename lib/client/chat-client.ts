/**
 * The client core: what the page and the terminal client both do with the chat's socket, written once, so that
 * the two cannot drift apart. Each client makes its own socket.io-client socket and hands it over (CoreSocket);
 * the core owns, on top of it:
 *
 * - the outbox (outbox.ts): clientIds, resends after a dropped connection, the states a send goes through;
 * - taking messages in (incoming.ts) under the ack rule below, each once;
 * - the backlog on connect, which ends with `backlog:done`, and `check` followed page after page to its end;
 * - refusals read by their code (refusals.ts): a refused handshake signs out (`unauthorized`), is tried again
 *   after the seconds the server gave (`rate-limited`), or is final (anything else);
 * - the one place message content is sealed and opened (content.ts), where end-to-end encryption will go.
 *
 * The ack rule: a message delivered to this client is acknowledged to the server only after the client has taken
 * it in — handed it to the page's state, printed it. The acknowledgement (the `message` event's ack, or for a group
 * message, which comes in a broadcast without one, `message:received {ids}`) is what records it delivered, so a
 * client that stops in between never marks delivered what nobody saw, and the server delivers it again on the next
 * connection. A message that comes again is acknowledged again, and not taken in twice.
 */
import type { Refusal } from "../contract/codes";
import type { CheckAck } from "../contract/events";
import type { ChatMessage, CheckPage } from "../contract/payloads";
import { Incoming } from "./incoming";
import { type OutboxChange, Outbox } from "./outbox";
import { ackRefusal, judgeHandshake, NoAnswerError, NotConnectedError, RefusedError } from "./refusals";
import type { ConnectError, CoreSocket } from "./socket";

/** How long a request waits for its answer. */
const ACK_TIMEOUT_MS = 10_000;
/** How many times one message is sent, each on a new connection, before it fails without an answer. */
const SEND_ATTEMPTS = 5;

export interface ChatClientEvents {
  /** A message for you (live or from the backlog), or your own from another tab: take it in (show it, print it). */
  message(message: ChatMessage): void;
  /** The handshake succeeded: the first time, or `again` after the connection was lost. */
  connected(again: boolean): void;
  disconnected(reason: string): void;
  /** The server refused the handshake for now and said when to come back: the core tries again then. */
  waiting(seconds: number, refusal: Refusal): void;
  /** The server does not know the session (ended elsewhere, expired): log in again. */
  signedOut(refusal: Refusal): void;
  /** The server refused the handshake for good: nothing is tried again. */
  refused(refusal: Refusal): void;
  /** Every change of the outbox, for a client that shows it. */
  outbox?(change: OutboxChange): void;
}

export interface ChatClientOptions {
  /** Who is signed in: their own group messages need no receipt. */
  username: string;
  events: ChatClientEvents;
  /** How long a send or a request waits for a lost connection to come back; left out, as long as it takes. */
  connectionWaitMs?: number;
}

/** One page of `check`: `after` is the previous page's `next`; a refusal or silence rejects. */
export type CheckPageFetcher = (after?: string) => Promise<CheckPage>;

export class ChatClient {
  readonly outbox: Outbox;
  private readonly incoming: Incoming;
  private readonly firstBacklog: Promise<void>;
  private readonly connectWaiters = new Set<() => void>();
  private connectedBefore = false;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: CoreSocket,
    private readonly options: ChatClientOptions,
  ) {
    const { events, connectionWaitMs } = options;
    this.outbox = new Outbox(socket, {
      ackTimeoutMs: ACK_TIMEOUT_MS,
      attempts: SEND_ATTEMPTS,
      connectionWaitMs,
      onChange: events.outbox,
    });
    this.incoming = new Incoming(socket, options.username, (message) => events.message(message));
    let backlogDone!: () => void;
    this.firstBacklog = new Promise((resolve) => (backlogDone = resolve));
    socket.on("backlog:done", () => backlogDone());
    socket.on("message", (message, ack) => this.incoming.delivered(message, ack));
    socket.on("connect", () => {
      events.connected(this.connectedBefore);
      this.connectedBefore = true;
      for (const resolve of this.connectWaiters) resolve();
      this.outbox.connected();
    });
    socket.on("disconnect", (reason) => events.disconnected(reason));
    socket.on("connect_error", (error) => this.handshakeFailed(error));
  }

  /**
   * Resolves once the messages that waited for you have all arrived (`backlog:done` after the first handshake), or
   * after `timeoutMs` from a server that does not say.
   */
  backlogArrived(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    return Promise.race([this.firstBacklog, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Everything waiting for you that has not arrived yet: page after page, following `next` to the end, each page's
   * messages not seen before handed to `onPage` as it comes; resolves with all of them. A page is the socket's
   * `check` unless `fetchPage` asks for it another way (the page over HTTP).
   */
  async check(
    onPage: (messages: ChatMessage[]) => void,
    fetchPage: CheckPageFetcher = (after) => this.checkOverSocket(after),
  ): Promise<ChatMessage[]> {
    const found: ChatMessage[] = [];
    let after: string | undefined;
    do {
      const page = await fetchPage(after);
      const fresh = this.incoming.fresh(page.messages);
      onPage(fresh);
      found.push(...fresh);
      after = page.next ?? undefined;
    } while (after);
    return found;
  }

  /** Stops for good: no retry is left waiting, nothing more is sent, the socket is closed. */
  close(): void {
    clearTimeout(this.retry);
    this.outbox.close();
    this.socket.disconnect();
  }

  private handshakeFailed(error: ConnectError): void {
    if (this.socket.active) return; // a transport's failure: socket.io-client tries again by itself
    const verdict = judgeHandshake(error);
    const { events } = this.options;
    if (verdict.kind === "signed-out") events.signedOut(verdict.refusal);
    else if (verdict.kind === "refused") events.refused(verdict.refusal);
    else {
      events.waiting(verdict.seconds, verdict.refusal);
      // socket.io-client takes every refusal as final, so the core comes back itself, as often as the server says so.
      this.retry = setTimeout(() => this.socket.connect(), verdict.seconds * 1000);
    }
  }

  /**
   * Once connected, one `check` and its answer. Waiting for a lost connection first, rather than letting
   * socket.io-client keep the packet, means a request given up on is never sent later.
   */
  private async checkOverSocket(after: string | undefined): Promise<CheckPage> {
    await this.whenConnected();
    const reply = await new Promise<CheckAck>((resolve, reject) =>
      this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emit("check", after ? { after } : {}, (timedOut, answer) =>
          timedOut ? reject(new NoAnswerError(ACK_TIMEOUT_MS)) : resolve(answer),
        ),
    );
    if (!reply.ok) throw new RefusedError(ackRefusal(reply));
    return reply;
  }

  private whenConnected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    const waitMs = this.options.connectionWaitMs;
    return new Promise((resolve, reject) => {
      const timer =
        waitMs === undefined
          ? undefined
          : setTimeout(() => {
              this.connectWaiters.delete(done);
              reject(new NotConnectedError(waitMs));
            }, waitMs);
      const done = () => {
        clearTimeout(timer);
        this.connectWaiters.delete(done);
        resolve();
      };
      this.connectWaiters.add(done);
    });
  }
}
