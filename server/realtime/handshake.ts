/**
 * The edge's part of Socket.IO: the cross-site rule on handshakes, the per-address budget of handshakes, the
 * security headers on Engine.IO's own responses, and the client address of a connection.
 *
 * The rule runs as namespace middleware (`io.use`), not as Engine.IO's `allowRequest`: only at this point is the
 * handshake's `auth` payload known, and a client that sends `auth: {token}` — the terminal client, or a page on
 * another origin holding its own token — is no cross-site victim. Only a handshake that falls back on the cookie
 * the browser attached by itself has to come from the page's own origin.
 */
import type { IncomingMessage } from "node:http";
import type { Rate } from "../../lib/limits/token-bucket";
import { addressBudget } from "../../lib/limits/address-group";
import { CROSS_SITE_REFUSED, isCrossSite } from "../http/origin";
import { clientAddress, isSecureRequest } from "../http/request-facts";
import { DATA_POLICY, type HeaderSettings, securityHeaders } from "../http/security-headers";
import { onePerTurn } from "./one-per-turn";
import { type ChatServer, type ChatSocket, handshakeRefusal } from "./types";

/** Register before the authentication middleware: a refused handshake never reaches the session lookup. */
export function refuseCrossSiteCookieHandshakes(io: ChatServer, allowedOrigins: ReadonlySet<string>): void {
  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    if (typeof auth.token !== "string" && isCrossSite(socket.handshake.headers, allowedOrigins)) {
      return next(handshakeRefusal(CROSS_SITE_REFUSED, "forbidden"));
    }
    next();
  });
}

/**
 * An address over its budget is told why a few times, then refused without a word: a flood's handshakes beyond
 * these cost an HTTP request each instead of a WebSocket, an Engine.IO session and a namespace handshake.
 */
const TOLD_PER_ADDRESS: Rate = { perSecond: 1, burst: 5 };

/**
 * Refuses handshakes past `rate` per client address, before the session lookup and the count of the person's
 * sockets, which are most of what a handshake costs. Counted in Engine.IO's `allowRequest`, the first thing a new
 * connection meets (the edge has stamped its address by then). The refusal people see comes later, as
 * namespace middleware, because only there does the client get a message (its `connect_error`; the page says
 * why and tries again, app/client/use-chat.ts): Engine.IO's own refusal is an HTTP 400 or 403 that the client
 * reports as "websocket error" or "xhr poll error". So an address over its budget has its first few handshakes
 * (TOLD_PER_ADDRESS) let through to be told "too many connections from your address: try again in N s" there, and
 * the rest of a flood refused at once by Engine.IO, the message in the body of that answer. Every handshake is
 * counted, a cross-site one included: it costs the same.
 */
export function refuseHandshakeFloods(io: ChatServer, rate: Rate): void {
  const handshakes = addressBudget(rate);
  const told = addressBudget(TOLD_PER_ADDRESS);
  const toBeTold = new WeakMap<IncomingMessage, number>();
  io.engine.opts.allowRequest = (request, answer) => {
    const address = clientAddress(request.headers);
    const verdict = handshakes.take(address);
    if (verdict.allowed) return answer(null, true);
    if (told.take(address).allowed) {
      toBeTold.set(request, verdict.retryAfterSeconds);
      return answer(null, true);
    }
    answer(tooManyConnections(verdict.retryAfterSeconds), false);
  };
  io.use((socket, next) => {
    const retryAfterSeconds = toBeTold.get(socket.request);
    next(
      retryAfterSeconds === undefined
        ? undefined
        : handshakeRefusal(tooManyConnections(retryAfterSeconds), "rate-limited", retryAfterSeconds),
    );
  });
}

/**
 * Lets handshakes into authentication one per turn of the event loop (one-per-turn.ts says why): the
 * session lookup and everything a new connection reads run as one block, and a burst of them would hold everyone
 * else's messages. Register it just before the authentication middleware, after every cheaper refusal.
 */
export function paceHandshakes(io: ChatServer): void {
  const pace = onePerTurn();
  io.use((_socket, next) => pace(() => next()));
}

export function tooManyConnections(retryAfterSeconds: number): string {
  return `too many connections from your address: try again in ${retryAfterSeconds} s`;
}

/** Polling answers and the WebSocket upgrade answer carry the same headers as every other response. */
export function addSecurityHeaders(io: ChatServer, settings: HeaderSettings): void {
  io.engine.on("headers", (headers: Record<string, string>, request: { headers: Record<string, string> }) => {
    Object.assign(headers, securityHeaders(DATA_POLICY, isSecureRequest(request.headers), settings));
  });
}

/** The address a connection came from (TRUST_PROXY applies), the same answer route handlers get. */
export function handshakeClientAddress(socket: ChatSocket): string {
  return clientAddress(socket.handshake.headers);
}
