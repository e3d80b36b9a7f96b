/**
 * Clients that behave like the page under failures: they reconnect (through nginx, to whichever instance it
 * picks), resend every send that was not acknowledged with the same clientId, and acknowledge what they receive.
 * The session cookie rides along on the handshake as a browser's would, so nginx's affinity spreads them.
 */
import { io, type Socket } from "socket.io-client";
import type { ChatMessage, ReadingEvent } from "@/lib/contract/payloads";

const SEND_TIMEOUT_MS = 3_000;

function resilientSocket(url: string, token: string, transport: "websocket" | "polling"): Socket {
  return io(url, {
    auth: { token },
    extraHeaders: { cookie: `chat_session=${token}` },
    transports: [transport],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    randomizationFactor: 0,
  });
}

/**
 * Like the page: a handshake the server refused (rather than a network failure, which socket.io-client retries by
 * itself) is tried again 2 s later. Returns what stops it, for close().
 */
function retryRefusals(socket: Socket): () => void {
  let retry: NodeJS.Timeout | undefined;
  socket.on("connect_error", () => {
    if (!socket.active) retry = setTimeout(() => socket.connect(), 2_000);
  });
  return () => clearTimeout(retry);
}

export class Sender {
  readonly socket: Socket;
  /** clientId → the id of the stored message, once acknowledged. */
  readonly acked = new Map<string, string>();
  private readonly unacked = new Map<string, { destination: string; message: string; lastTry: number }>();
  private readonly stopRetrying: () => void;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  disconnects = 0;
  /** Sends tried again with their clientId after a lost connection or a missing answer. */
  resends = 0;

  constructor(
    url: string,
    readonly username: string,
    token: string,
    transport: "websocket" | "polling" = "websocket",
  ) {
    this.socket = resilientSocket(url, token, transport);
    this.socket.on("disconnect", () => (this.disconnects += 1));
    this.stopRetrying = retryRefusals(this.socket);
    // Like the page: whatever was not acknowledged is sent again, with the same clientId, once connected again.
    this.socket.on("connect", () => {
      for (const clientId of this.unacked.keys()) this.attempt(clientId);
    });
  }

  /** Sends one message every `everyMs` to the destinations in turn until stop(). */
  start(destinations: string[], everyMs: number): void {
    this.timer = setInterval(() => {
      this.count += 1;
      const clientId = `${this.username}-${this.count}`;
      this.unacked.set(clientId, {
        destination: destinations[this.count % destinations.length]!,
        message: `message ${this.count} from ${this.username}`,
        lastTry: 0,
      });
      this.attempt(clientId);
      // A send that got no answer in time (the instance died with it) is tried again.
      for (const [id, send] of this.unacked) if (Date.now() - send.lastTry > SEND_TIMEOUT_MS) this.attempt(id);
    }, everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Resolves once every send has been acknowledged (or fails after timeoutMs). */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unacked.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.username}: ${this.unacked.size} sends never acknowledged`);
      for (const [id, send] of this.unacked) if (Date.now() - send.lastTry > SEND_TIMEOUT_MS) this.attempt(id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get sent(): number {
    return this.count;
  }

  private attempt(clientId: string): void {
    const send = this.unacked.get(clientId);
    if (!send || !this.socket.connected) return;
    if (send.lastTry > 0) this.resends += 1;
    send.lastTry = Date.now();
    this.socket
      .timeout(SEND_TIMEOUT_MS)
      .emitWithAck("message:send", { destination: send.destination, message: send.message, clientId })
      .then(
        (reply: { ok: boolean; message?: ChatMessage }) => {
          if (!reply.ok || !reply.message) return; // an error: the next attempt sends it again
          this.acked.set(clientId, reply.message.id);
          this.unacked.delete(clientId);
        },
        () => {}, // no answer in time: tried again later
      );
  }

  close(): void {
    this.stop();
    this.stopRetrying();
    this.socket.disconnect();
  }
}

export class Receiver {
  readonly socket: Socket;
  /** Every message received (live, from the backlog on connect, or from check), by id, with how often. */
  readonly seen = new Map<string, { message: ChatMessage; times: number }>();
  readonly readings: ReadingEvent[] = [];
  private readonly stopRetrying: () => void;
  disconnects = 0;

  constructor(
    url: string,
    readonly username: string,
    token: string,
    transport: "websocket" | "polling" = "websocket",
  ) {
    this.socket = resilientSocket(url, token, transport);
    this.socket.on("disconnect", () => (this.disconnects += 1));
    this.stopRetrying = retryRefusals(this.socket);
    this.socket.on("message", (message: ChatMessage, ack?: () => void) => {
      this.record(message);
      ack?.();
    });
    this.socket.on("thermometer:reading", (reading: ReadingEvent) => this.readings.push(reading));
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve) => this.socket.once("connect", () => resolve()));
  }

  /** `!check`: anything still waiting in the store. */
  async check(): Promise<void> {
    await this.connected();
    const reply = await this.socket.timeout(10_000).emitWithAck("check");
    for (const message of reply.messages as ChatMessage[]) this.record(message);
  }

  private record(message: ChatMessage): void {
    const entry = this.seen.get(message.id);
    if (entry) entry.times += 1;
    else this.seen.set(message.id, { message, times: 1 });
  }

  close(): void {
    this.stopRetrying();
    this.socket.disconnect();
  }
}
