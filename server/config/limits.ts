/**
 * What one client may cost (server/realtime/limits.ts for a socket's; the person's allowances are ChatService's,
 * lib/limits/person-limits.ts), and how long a shutdown may take.
 */
import { z } from "zod";
import { DEFAULT_PERSON_RATES } from "../../lib/limits/person-limits";
import { type AreaValue, area, setting, type Values } from "./define";
import { rate } from "./kinds";

const socketLimits = {
  /** Sends one socket may make: room for a fast typist pasting several lines; nobody chats 20 a second for long. */
  sendPerSocket: setting("SEND_LIMIT_PER_SOCKET", rate({ perSecond: 20, burst: 40 })),
  typingPerSocket: setting("TYPING_LIMIT_PER_SOCKET", rate({ perSecond: 5, burst: 10 })),
  typingPerUser: setting("TYPING_LIMIT_PER_USER", rate({ perSecond: 10, burst: 20 })),
  /**
   * `message:received` events one socket may send: a client acks each group message as it arrives, so this is far
   * above what the groups a person is in can deliver to them, and only a flood meets it.
   */
  receivedPerSocket: setting("RECEIVED_LIMIT_PER_SOCKET", rate({ perSecond: 200, burst: 1_000 })),
  /** Sockets one person may have open at once, counted on every instance. */
  socketsPerUser: setting("MAX_SOCKETS_PER_USER", z.coerce.number().int().min(1).default(50)),
  /**
   * How long counting a person's sockets waits for the other instances; past it the count is this instance's
   * (SocketLimits.openSockets says why).
   */
  socketCountTimeoutMs: setting("SOCKET_COUNT_TIMEOUT_MS", z.coerce.number().int().min(10).default(1_000)),
  /**
   * Sends refused without a 5 s pause after which a socket is disconnected (0: never). Answering a flood packet by
   * packet costs the server more than the flood's sender; one that ignores this many refusals is not a person. The
   * socket is warned at half of it.
   */
  closeAfterRefusedSends: setting("SEND_REFUSALS_BEFORE_CLOSE", z.coerce.number().int().min(0).default(200)),
  /**
   * Typing events dropped without a 10 s pause after which a socket is disconnected (0: never), warned at half. A
   * dropped event costs little, but every one is still read and decoded first; the page sends one every 2 s while a
   * key is pressed, so only a flood reaches this.
   */
  closeAfterDroppedTyping: setting("TYPING_DROPS_BEFORE_CLOSE", z.coerce.number().int().min(0).default(200)),
  /**
   * Socket.IO handshakes one client address may start (server/realtime/handshake.ts): a burst of 20, then 10 a
   * second. A person opening tabs, or a household, stays inside the burst. After a restart every client reconnects
   * within a second or two (Socket.IO's first retry comes after 0.5–1.5 s) and those refused try again (the page 2 s
   * after being told, Socket.IO's own backoff after a bare refusal): behind one NAT address, 100 sockets (an office
   * of 50 with two tabs each) are all back within about 8 s, 300 within 30 s, 1,000 within 100 s; the rate decides
   * that, the burst hardly. Bigger offices behind one address raise it. A flood from one address gets 20 handshakes
   * to the session lookup, then 10 a second; each one that connects costs several store reads (a burst of 50 let the
   * abuse fault run's socket flood hold the event loop twice as long), and everything else is refused before any
   * store read.
   */
  connectsPerAddress: setting("CONNECTS_PER_ADDRESS", rate({ perSecond: 10, burst: 20 })),
};

/** The limits only a socket has (SocketLimits reads them). */
export type SocketLimitSettings = Values<typeof socketLimits>;

/** The socket limits, and the person's allowances, which hold for every door. */
export const limitsArea = area({
  ...socketLimits,
  /** `message:send` and POST /api/messages. */
  sendPerUser: setting("SEND_LIMIT_PER_USER", rate(DEFAULT_PERSON_RATES.send)),
  /** `check` and POST /api/messages/check. */
  checkPerUser: setting("CHECK_LIMIT_PER_USER", rate(DEFAULT_PERSON_RATES.check)),
  /** `message:read` and POST /api/messages/read. */
  readPerUser: setting("READ_LIMIT_PER_USER", rate(DEFAULT_PERSON_RATES.read)),
});

export type RealtimeLimits = AreaValue<typeof limitsArea>;
