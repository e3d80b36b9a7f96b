/**
 * The client's Socket.IO side: one WebSocket authenticated with the session token, handed to the client core
 * (lib/client), which sends, resends, takes messages in under the ack rule, pages through `check` and reads
 * refusals by their code; this file turns what the core reports into the terminal's events and errors.
 * Reconnection is socket.io-client's own, and the core's after a handshake refused for now.
 */
import { io, type Socket } from "socket.io-client";
import { ChatClient } from "../lib/client/chat-client";
import { wasRefused } from "../lib/client/outbox";
import { NoAnswerError, NotConnectedError, RefusedError } from "../lib/client/refusals";
import type {
  ChatMessage,
  DeviceStatusEvent,
  ReadingEvent,
  SubscriptionEvent,
  WarningEvent,
} from "../lib/contract/payloads";
import type { ClientToServerEvents, ServerToClientEvents } from "../lib/contract/events";
import { CliError } from "./errors";
import type { Session } from "./session";

const CONNECT_TIMEOUT_MS = 10_000;
/** How long a line waits for a dropped connection to come back. */
const RECONNECT_WAIT_MS = 30_000;

export interface ConnectionEvents {
  /** A message for you (live or from the store); the server hears it was delivered once this returns. */
  message(message: ChatMessage): void;
  reading(reading: ReadingEvent): void;
  deviceStatus(status: DeviceStatusEvent): void;
  subscription(change: SubscriptionEvent): void;
  /** The server says this client ran into a limit where no ack could say so (typing dropped). */
  warning(warning: WarningEvent): void;
  /** The first handshake succeeded; called before any message of the stored backlog. */
  connected(): void;
  disconnected(reason: string): void;
  reconnected(): void;
  /**
   * The server refused a handshake for now (too many connections from this address) and said to come back in
   * `seconds`; the client tries again then by itself.
   */
  waiting(seconds: number): void;
  /** The connection is gone for good (the server refused the session); the client cannot go on. */
  fatal(error: CliError): void;
}

/** A send's answer: stored (and whether its recipient was online), or refused with the server's words. */
export type Sent = { ok: true; message: ChatMessage; online: boolean } | { ok: false; error: string };

/** The client's Socket.IO socket, typed with the contract in lib/contract/events.ts. */
type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class ChatConnection {
  private constructor(private readonly client: ChatClient) {}

  /**
   * Resolves once the server accepted the handshake, after any wait it asked for; a refused or unreachable socket
   * rejects.
   */
  static open(session: Session, events: ConnectionEvents): Promise<ChatConnection> {
    const socket: ChatSocket = io(session.url, {
      auth: { token: session.token },
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelayMax: 5_000,
    });
    socket.on("thermometer:reading", (reading) => events.reading(reading));
    socket.on("thermometer:status", (status) => events.deviceStatus(status));
    socket.on("thermometer:subscription", (change) => events.subscription(change));
    socket.on("warning", (warning) => events.warning(warning));

    return new Promise((resolve, reject) => {
      let opened = false;
      let timer: NodeJS.Timeout | undefined;
      // A transport error is retried by the manager until the timer fires.
      const startTimer = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            fail(new CliError(`could not open a WebSocket to ${session.url} within ${CONNECT_TIMEOUT_MS / 1000} s`)),
          ms,
        );
      };
      // A refusal of the first handshake is the caller's error to report; of a later one, the session's end.
      const fatal = (error: CliError) => (opened ? events.fatal(error) : fail(error));
      const client = new ChatClient(socket, {
        username: session.username,
        connectionWaitMs: RECONNECT_WAIT_MS,
        events: {
          message: (message) => events.message(message),
          connected(again) {
            if (again) return events.reconnected();
            events.connected();
            opened = true;
            clearTimeout(timer);
            resolve(new ChatConnection(client));
          },
          disconnected(reason) {
            if (reason === "io client disconnect") return; // we closed it ourselves
            events.disconnected(reason);
            // After a server-side disconnect (a restart, for one) socket.io-client waits to be told to retry.
            if (reason === "io server disconnect") socket.connect();
          },
          // The wait the server asked for is no failure to connect: the timer starts again after it.
          waiting(seconds) {
            if (!opened) startTimer(seconds * 1000 + CONNECT_TIMEOUT_MS);
            events.waiting(seconds);
          },
          signedOut: () => fatal(new CliError("the server refused the session (unauthorized); log in again")),
          refused: (refusal) => fatal(new CliError(`the server refused the connection: ${refusal.error}`)),
        },
      });
      const fail = (error: CliError) => {
        clearTimeout(timer);
        client.close();
        reject(error);
      };
      startTimer(CONNECT_TIMEOUT_MS);
    });
  }

  /** Resolves once the messages that waited for you have all arrived, or after `timeoutMs`. */
  backlogArrived(timeoutMs: number): Promise<void> {
    return this.client.backlogArrived(timeoutMs);
  }

  /**
   * Sends a message through the outbox: resolves with the server's answer, or its refusal's words; one cut off by a
   * dropped connection goes again once reconnected, with the same clientId. No answer at all is a CliError.
   */
  async send(destination: string, message: string): Promise<Sent> {
    const outcome = await this.client.outbox.send(destination, message);
    if (outcome.ok) return outcome;
    this.client.outbox.discard(outcome.clientId); // nobody retries it from a terminal
    if (!wasRefused(outcome.failure)) throw new CliError(outcome.failure.error);
    return { ok: false, error: outcome.failure.error };
  }

  /**
   * `!check`: everything you have not received yet, each page's new messages handed to `onPage` as it comes;
   * resolves with the refusal's words if the server refused a page. No answer at all is a CliError.
   */
  async check(onPage: (messages: ChatMessage[]) => void): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.client.check(onPage);
      return { ok: true };
    } catch (error) {
      if (error instanceof RefusedError) return { ok: false, error: error.message };
      if (error instanceof NoAnswerError || error instanceof NotConnectedError) throw new CliError(error.message);
      throw error;
    }
  }

  close(): void {
    this.client.close(); // and a retry due later would open the connection again
  }
}
