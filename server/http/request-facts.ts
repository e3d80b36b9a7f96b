/**
 * Facts the edge establishes once per request and stamps on it as internal headers, after deleting any copy the
 * client sent: the client's address and the public origin. Route handlers (which Next bundles apart from the
 * server) and Socket.IO handshakes read them from the request's headers, so they need neither the configuration
 * nor the socket, and every part of the server gets the same answer.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { sessionCookieName } from "../../lib/accounts/auth";
import { clientAddressOf, publicOriginOf } from "./forwarded";

const CLIENT_ADDRESS_HEADER = "x-chat-edge-client-address";
const PUBLIC_ORIGIN_HEADER = "x-chat-edge-origin";

/** Node's headers (an IncomingMessage, a Socket.IO handshake) or the web's (a route handler's request). */
export type AnyHeaders = IncomingHttpHeaders | Headers;

export function headerValue(headers: AnyHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Runs first for every request and upgrade, Socket.IO's included. Also removes the session cookie under the name
 * that does not fit the request's scheme: on HTTPS a plain `chat_session` can only have been planted (over plain
 * HTTP or by a sibling domain), so no reader may pick it up.
 */
export function stampRequestFacts(request: IncomingMessage, trustProxyHops: number): void {
  const { headers } = request;
  delete headers[CLIENT_ADDRESS_HEADER];
  delete headers[PUBLIC_ORIGIN_HEADER];
  headers[CLIENT_ADDRESS_HEADER] = clientAddressOf(request, trustProxyHops);
  const origin = publicOriginOf(request, trustProxyHops);
  if (origin) headers[PUBLIC_ORIGIN_HEADER] = origin;
  dropCookie(headers, sessionCookieName(!origin?.startsWith("https:")));
}

function dropCookie(headers: IncomingHttpHeaders, name: string): void {
  if (!headers.cookie) return;
  const kept = headers.cookie.split(";").filter((pair) => pair.split("=")[0]!.trim() !== name);
  if (kept.length === 0) delete headers.cookie;
  else headers.cookie = kept.map((pair) => pair.trim()).join("; ");
}

/**
 * The client's address: the socket's peer, or behind TRUST_PROXY the address the outermost trusted proxy saw.
 * The one answer for route handlers (`clientAddress` in their context) and Socket.IO handshakes.
 */
export function clientAddress(headers: AnyHeaders): string {
  return headerValue(headers, CLIENT_ADDRESS_HEADER) ?? "unknown";
}

/** The origin people's browsers used for this request (`https://chat.example`); undefined without a usable Host. */
export function publicOrigin(headers: AnyHeaders): string | undefined {
  return headerValue(headers, PUBLIC_ORIGIN_HEADER);
}

/** Whether the request reached us over TLS, directly or (with TRUST_PROXY) at the proxy. */
export function isSecureRequest(headers: AnyHeaders): boolean {
  return publicOrigin(headers)?.startsWith("https:") ?? false;
}
