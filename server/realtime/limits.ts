/**
 * What one socket may cost: the limits only a socket has. Sends per socket, typing events per socket and per
 * person, `message:received` per socket, sockets per person, and handshakes per client address. Each limit says so
 * when it is hit: a refused send in its ack, dropped typing events with one `warning`, a socket that keeps on past
 * either warned and closed, a socket over the cap or an address over its budget refused at the handshake.
 *
 * The per-socket buckets live with the socket. The per-person allowances of sends, checks and read receipts are
 * ChatService's, which takes from them itself whichever door a request came through; a socket's send hands the
 * chat this socket's bucket too, and the chat takes from both in one step, so one refused spends neither. Typing
 * per person stays here: typing exists only on sockets, and an event over the limit is dropped, not refused, and
 * counts towards this socket's flood. The per-person buckets are this process's: they hold across a person's
 * sockets on this instance, and with several instances a person could send at the per-person rate on each. The
 * socket cap is counted through the adapter (cluster-wide), so that is at most `socketsPerUser` sockets, each still
 * held to the per-socket rate; sharing the per-person buckets across instances would cost a round trip to a shared
 * store on every message.
 */
import { ChatError } from "../../lib/errors";
import type { ConnectionAllowance } from "../../lib/limits/person-limits";
import type { SocketLimitSettings } from "../config";
import type { WarningEvent } from "../../lib/contract/payloads";
import { KeyedBuckets } from "../../lib/limits/keyed-buckets";
import { type Rate, TokenBucket, takeFromAll } from "../../lib/limits/token-bucket";
import type { InFlight } from "../../lib/in-flight";
import { logger } from "../log";
import { type ChatServer, type ChatSocket, handshakeRefusal } from "./types";

/** The socket door's limits: one per server, making each socket's and counting each person's sockets. */
export class SocketLimits {
  private readonly typingByUser: KeyedBuckets;

  constructor(readonly settings: SocketLimitSettings) {
    this.typingByUser = new KeyedBuckets(settings.typingPerUser, { maxKeys: 100_000 });
  }

  /** The limits of one new socket of `username`; its sends are counted in a scope of `inFlight`. */
  forSocket(socket: ChatSocket, username: string, inFlight: InFlight): ConnectionLimits {
    return new ConnectionLimits(this, socket, username, this.typingByUser, inFlight.scope());
  }

  /** The handshake's refusal when `username` already has as many sockets as allowed. */
  async refuseOverCap(io: ChatServer, username: string, room: string): Promise<Error | undefined> {
    const open = (await this.openSockets(io, room)).length;
    if (open < this.settings.socketsPerUser) return undefined;
    return handshakeRefusal(
      `too many connections: ${username} already has ${open} open (at most ${this.settings.socketsPerUser}); close some tabs or clients`,
      "too-many-connections",
    );
  }

  /**
   * After joining its person's room, whether this socket is within the cap. Handshakes that run at
   * once all pass the count above before any of them joins; each then looks again, and those that
   * arrived last beyond the cap leave. Arrival order is the same for everyone who looks, so exactly
   * `socketsPerUser` stay.
   */
  async withinCap(io: ChatServer, socket: ChatSocket, room: string): Promise<boolean> {
    const open = await this.openSockets(io, room);
    if (open.length <= this.settings.socketsPerUser) return true;
    const kept = open
      .sort((a, b) => a.data.arrival - b.data.arrival || (a.id < b.id ? -1 : 1))
      .slice(0, this.settings.socketsPerUser);
    return kept.some((kept) => kept.id === socket.id);
  }

  /**
   * The sockets in `room` on every instance. With several, the adapter asks every instance Redis counts as
   * subscribed and waits for all of them: one shutting down, frozen, or gone before Redis noticed never answers, and
   * the question fails at the adapter's timeout (5 s) with the answers it got thrown away. That failed handshakes with
   * "server error" during a rolling restart. The cap bounds what one person may cost and is worth neither a refused
   * nor a stalled handshake, so the question waits `socketCountTimeoutMs`, and past that the count is this
   * instance's own sockets: for that moment the cap holds per instance.
   */
  private async openSockets(io: ChatServer, room: string) {
    try {
      return await io.in(room).timeout(this.settings.socketCountTimeoutMs).fetchSockets();
    } catch (error) {
      warnAtMostEveryMinute(
        `counting the sockets of ${room} on every instance failed (${String(error)}); counted here only`,
      );
      return io.local.in(room).fetchSockets();
    }
  }
}

let lastCountWarning = Number.NEGATIVE_INFINITY;
/** Once a minute at most: a restart's reconnecting sockets would otherwise each log the same instance not answering. */
function warnAtMostEveryMinute(message: string): void {
  if (Date.now() - lastCountWarning < 60_000) return;
  lastCountWarning = Date.now();
  logger.warn(message);
}

let lastArrival = 0;

/** A moment for ordering this process's sockets by arrival: wall-clock ms, strictly increasing here. */
export function arrivalTime(): number {
  lastArrival = Math.max(Date.now(), lastArrival + 0.001);
  return lastArrival;
}

/** A socket whose sends were not refused for this long starts its count of refusals again. */
const SEND_QUIET_MS = 5_000;

/** A socket that sent no typing event for this long is told again if it floods again. */
const TYPING_QUIET_MS = 10_000;

/**
 * Refusals in a row, forgotten after a quiet spell: a flood lets an event through whenever a token refills, so only
 * a pause shows that the client slowed down. Says when the count reaches half of `closeAfter` (warn) and
 * `closeAfter` itself (close); `closeAfter` 0 never does.
 */
class RefusalsInARow {
  private count = 0;
  private lastAt = 0;

  constructor(private readonly quietMs: number) {}

  another(now: number, closeAfter: number): { count: number; step?: "warn" | "close" } {
    if (now - this.lastAt > this.quietMs) this.count = 0;
    this.lastAt = now;
    this.count += 1;
    if (closeAfter === 0) return { count: this.count };
    if (this.count === Math.ceil(closeAfter / 2)) return { count: this.count, step: "warn" };
    if (this.count === closeAfter) return { count: this.count, step: "close" };
    return { count: this.count };
  }
}

/** One socket's limits: its send, typing and `message:received` buckets, and its floods told, then closed. */
export class ConnectionLimits {
  private readonly sendAllowance: ConnectionAllowance;
  private readonly typing: TokenBucket;
  private readonly received: TokenBucket;
  private toldAboutTyping = false;
  private toldAboutReceived = false;
  private lastTypingAt = 0;
  private readonly refusedSends = new RefusalsInARow(SEND_QUIET_MS);
  private readonly droppedTyping = new RefusalsInARow(TYPING_QUIET_MS);
  private closing = false;

  constructor(
    private readonly limits: SocketLimits,
    private readonly socket: ChatSocket,
    private readonly username: string,
    private readonly typingByUser: KeyedBuckets,
    /** This socket's sends under way: a socket being closed for flooding waits for their answers first. */
    private readonly sends: InFlight,
  ) {
    this.sendAllowance = {
      bucket: new TokenBucket(limits.settings.sendPerSocket),
      rate: limits.settings.sendPerSocket,
      onRefused: () => this.refusedAnother(),
    };
    this.typing = new TokenBucket(limits.settings.typingPerSocket);
    this.received = new TokenBucket(limits.settings.receivedPerSocket);
  }

  /**
   * A send from this socket, refused at once while the socket is being closed for flooding. Otherwise `start` hands
   * this connection's allowance to the chat, which takes from it and the person's at once (a refusal spends
   * neither, and counts towards this socket's refusals in a row); the send is counted until answered.
   */
  async send<T>(start: (allowance: ConnectionAllowance) => Promise<T>): Promise<T> {
    if (this.closing) throw new ChatError(429, "sending too fast: this connection is being closed");
    return this.sends.track(start(this.sendAllowance));
  }

  /** Closes once no accepted send waits for its ack (after the acks of that turn go out). */
  private closeWhenAnswered(): void {
    this.sends.idle().then(() => {
      if (!this.socket.disconnected) setImmediate(() => this.socket.disconnect(true));
    });
  }

  /** Past its refusals a socket is warned, then closed (after the acks already due, which go out first). */
  private refusedAnother(): void {
    if (this.closing) return;
    this.escalate(this.refusedSends, this.limits.settings.closeAfterRefusedSends, {
      code: "send-rate",
      doing: "sending",
      refused: "messages refused",
    });
  }

  /**
   * Whether a typing event may go on. One over the limit is dropped (it only says "typing…"), and
   * the socket is told once per flood: again only after a quiet spell. A socket that goes on being
   * dropped is warned, then closed, as for sends.
   */
  typingAllowed(): boolean {
    if (this.closing) return false;
    const now = Date.now();
    if (now - this.lastTypingAt > TYPING_QUIET_MS) this.toldAboutTyping = false;
    this.lastTypingAt = now;
    if (takeFromAll(this.typing, this.typingByUser.get(this.username))) return true;
    if (!this.toldAboutTyping) {
      this.toldAboutTyping = true;
      this.socket.emit("warning", typingWarning(this.limits.settings.typingPerSocket));
    }
    this.droppedTypingAnother(now);
    return false;
  }

  /**
   * Past its dropped typing events a socket is warned, then closed: each dropped event is cheap, but the socket's
   * packets are all read and decoded before they can be dropped, and a flood of them queues ahead of everyone
   * else's messages. Closed, the rest of the flood is never decoded. The count starts again after a quiet spell.
   */
  private droppedTypingAnother(now: number): void {
    this.escalate(
      this.droppedTyping,
      this.limits.settings.closeAfterDroppedTyping,
      { code: "typing-rate", doing: "typing", refused: "typing events dropped" },
      now,
    );
  }

  /** One more refusal in a row: at half of `closeAfter` the socket is warned, at `closeAfter` warned and closed. */
  private escalate(
    refusals: RefusalsInARow,
    closeAfter: number,
    said: { code: "send-rate" | "typing-rate"; doing: string; refused: string },
    now = Date.now(),
  ): void {
    const { count, step } = refusals.another(now, closeAfter);
    if (!step) return;
    const next = step === "warn" ? `after ${closeAfter} this connection is closed` : "this connection is closed";
    this.socket.emit("warning", {
      code: said.code,
      message: `${said.doing} too fast: ${count} ${said.refused} without a pause; ${next}`,
    });
    if (step === "close") {
      this.closing = true;
      this.closeWhenAnswered();
    }
  }

  /**
   * Whether a `message:received` may be recorded. One over the limit is dropped, with one warning per connection:
   * its messages stay undelivered and come again from the backlog on the next connection, as for any lost ack.
   */
  receivedAllowed(): boolean {
    if (this.received.take()) return true;
    if (!this.toldAboutReceived) {
      this.toldAboutReceived = true;
      const { perSecond } = this.limits.settings.receivedPerSocket;
      this.socket.emit("warning", {
        code: "received-rate",
        message: `too many delivery acks: message:received beyond ${perSecond} a second is dropped`,
      });
    }
    return false;
  }
}

function typingWarning(rate: Rate): WarningEvent {
  return {
    code: "typing-rate",
    message: `typing too fast: typing events beyond ${rate.perSecond} a second are dropped`,
  };
}
