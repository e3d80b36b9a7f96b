/**
 * The client's Socket.IO side: one WebSocket authenticated with the session token, requests that
 * wait for their ack, and the events the server pushes. Reconnection is socket.io-client's own, except after a
 * handshake the server refused for now with a time to come back ("too many connections from your address"):
 * socket.io-client treats every refusal as final, so the client waits that long and tries again itself.
 */
import { randomUUID } from "node:crypto";
import { io, type Socket } from "socket.io-client";
import type {
  ChatMessage,
  DeviceStatusEvent,
  ReadingEvent,
  SubscriptionEvent,
  WarningEvent,
} from "../lib/contract/payloads";
import type { CheckAck, ClientToServerEvents, SendAck, ServerToClientEvents } from "../lib/contract/events";
import { isGroup } from "../lib/contract/names";
import { CliError } from "./errors";
import type { Session } from "./session";

/** How long a request waits for the server's ack, and a line waits for a dropped connection to come back. */
const ACK_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_WAIT_MS = 30_000;
/** How often a send cut off by dropped connections is sent again before giving up. */
const SEND_ATTEMPTS = 5;

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

/** The client's Socket.IO socket, typed with the contract in lib/protocol.ts. */
type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The same socket with an ack timeout: every emit resolves with the ack or rejects. */
type TimedSocket = ReturnType<ChatSocket["timeout"]>;

export class ChatConnection {
  private constructor(
    private readonly socket: ChatSocket,
    private readonly firstBacklog: Promise<void>,
    private readonly stopWaiting: () => void,
  ) {}

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
    let backlogDone!: () => void;
    const firstBacklog = new Promise<void>((resolve) => (backlogDone = resolve));
    socket.once("backlog:done", () => backlogDone());

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
      const stopWaiting = listen(socket, {
        ...events,
        // The wait the server asked for is no failure to connect: the timer starts again after it.
        waiting(seconds) {
          if (!opened) startTimer(seconds * 1000 + CONNECT_TIMEOUT_MS);
          events.waiting(seconds);
        },
        // A refusal of the first handshake is the caller's error to report; of a later one, the session's end.
        fatal(error) {
          if (opened) events.fatal(error);
          else fail(error);
        },
      });
      const fail = (error: CliError) => {
        clearTimeout(timer);
        stopWaiting();
        socket.off("connect", onConnect);
        socket.disconnect();
        reject(error);
      };
      const onConnect = () => {
        opened = true;
        clearTimeout(timer);
        resolve(new ChatConnection(socket, firstBacklog, stopWaiting));
      };
      startTimer(CONNECT_TIMEOUT_MS);
      socket.once("connect", onConnect);
    });
  }

  /**
   * Resolves once the messages that waited for you have all arrived (the server's `backlog:done`
   * after the first handshake), or after `timeoutMs` from a server that does not say.
   */
  backlogArrived(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    return Promise.race([this.firstBacklog, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Sends a message with a clientId of its own. A send cut off by a dropped connection may have been
   * stored without its ack getting back, so it is sent again once reconnected, with the same
   * clientId: the server answers with the stored message instead of storing it twice.
   */
  async send(destination: string, message: string): Promise<SendAck> {
    const payload = { destination, message, clientId: randomUUID() };
    for (let attempt = 1; ; attempt += 1) {
      await this.whenConnected();
      try {
        return await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("message:send", payload);
      } catch {
        if (this.socket.connected || attempt === SEND_ATTEMPTS) {
          throw new CliError(`no answer from the server within ${ACK_TIMEOUT_MS / 1000} s`);
        }
      }
    }
  }

  /** `!check`: one page of what you have not received yet, already marked `stored`; `after` is the previous page's `next`. */
  async check(after?: string): Promise<CheckAck> {
    return this.request((socket) => socket.emitWithAck("check", after ? { after } : {}));
  }

  close(): void {
    this.stopWaiting(); // or a retry due later would open the connection again
    this.socket.disconnect();
  }

  /**
   * Emits once connected and waits for the ack. Waiting for a dropped connection first, rather than
   * letting socket.io-client buffer the packet, means a request that timed out is never sent later.
   */
  private async request<T>(emit: (socket: TimedSocket) => Promise<T>): Promise<T> {
    await this.whenConnected();
    try {
      return await emit(this.socket.timeout(ACK_TIMEOUT_MS));
    } catch {
      throw new CliError(`no answer from the server within ${ACK_TIMEOUT_MS / 1000} s`);
    }
  }

  private whenConnected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off("connect", onConnect);
        reject(new CliError(`not connected to the server (waited ${RECONNECT_WAIT_MS / 1000} s)`));
      }, RECONNECT_WAIT_MS);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.once("connect", onConnect);
    });
  }
}

/** Wires the socket's events to `events`; returns what cancels a retry the server's refusal has scheduled. */
function listen(socket: ChatSocket, events: ConnectionEvents): () => void {
  socket.on("message", (message, ack?: () => void) => {
    events.message(message);
    // Acking is what marks the message delivered, so it comes after the message was shown. A group message comes
    // in a broadcast without an ack: this socket says it has it instead.
    if (typeof ack === "function") ack();
    else if (isGroup(message.destination)) socket.emit("message:received", { ids: [message.id] });
  });
  socket.on("thermometer:reading", (reading) => events.reading(reading));
  socket.on("thermometer:status", (status) => events.deviceStatus(status));
  socket.on("thermometer:subscription", (change) => events.subscription(change));
  socket.on("warning", (warning) => events.warning(warning));

  let everConnected = false;
  socket.on("connect", () => {
    if (everConnected) events.reconnected();
    else events.connected();
    everConnected = true;
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return; // we closed it ourselves
    events.disconnected(reason);
    // After a server-side disconnect (a restart, for one) socket.io-client waits to be told to retry.
    if (reason === "io server disconnect") socket.connect();
  });
  // Every handshake's refusal, the first and those after a reconnect, goes through here.
  let retry: NodeJS.Timeout | undefined;
  socket.on("connect_error", (error) => {
    if (socket.active) return; // a transport error: the manager tries again by itself
    const seconds = secondsToComeBack(error.message);
    if (seconds === undefined) return events.fatal(refusal(error));
    events.waiting(seconds);
    // Tried again for as long as the server answers this; any other refusal ends the session above.
    retry = setTimeout(() => socket.connect(), seconds * 1000);
  });
  return () => clearTimeout(retry);
}

/**
 * The refusal that is only for now: this address has started too many handshakes (server/realtime/handshake.ts),
 * and the server says how many seconds until it may start another.
 */
const TOO_MANY_CONNECTIONS = /^too many connections from your address: try again in (\d+) s$/;

function secondsToComeBack(message: string): number | undefined {
  const seconds = TOO_MANY_CONNECTIONS.exec(message)?.[1];
  // Never 0: a server saying so would otherwise be asked again in a tight loop.
  return seconds === undefined ? undefined : Math.max(1, Number(seconds));
}

function refusal(error: Error): CliError {
  if (error.message === "unauthorized")
    return new CliError("the server refused the session (unauthorized); log in again");
  return new CliError(`the server refused the connection: ${error.message}`);
}
