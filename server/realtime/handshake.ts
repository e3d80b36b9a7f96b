/**
 * The edge's part of Socket.IO: the cross-site rule on handshakes, the security headers on Engine.IO's own
 * responses, and the client address of a connection.
 *
 * The rule runs as namespace middleware (`io.use`), not as Engine.IO's `allowRequest`: only at this point is the
 * handshake's `auth` payload known, and a client that sends `auth: {token}` — the terminal client, or a page on
 * another origin holding its own token — is no cross-site victim. Only a handshake that falls back on the cookie
 * the browser attached by itself has to come from the page's own origin.
 */
import { CROSS_SITE_REFUSED, isCrossSite } from "../http/origin";
import { clientAddress, isSecureRequest } from "../http/request-facts";
import { DATA_POLICY, type HeaderSettings, securityHeaders } from "../http/security-headers";
import type { ChatServer, ChatSocket } from "./types";

/** Register before the authentication middleware: a refused handshake never reaches the session lookup. */
export function refuseCrossSiteCookieHandshakes(io: ChatServer, allowedOrigins: ReadonlySet<string>): void {
  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    if (typeof auth.token !== "string" && isCrossSite(socket.handshake.headers, allowedOrigins)) {
      return next(new Error(CROSS_SITE_REFUSED));
    }
    next();
  });
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
