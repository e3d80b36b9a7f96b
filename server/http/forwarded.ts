/**
 * What a request says about where it came from, believed only as far as TRUST_PROXY allows.
 *
 * TRUST_PROXY is a number of hops: how many reverse proxies stand between the people and this server, each of
 * which appends the address it received the request from to X-Forwarded-For (as nginx's
 * `$proxy_add_x_forwarded_for` and most load balancers do). 0 (the default) trusts no header at all.
 *
 * With N hops the client is the address that the outermost trusted proxy saw: the N-th entry of X-Forwarded-For
 * counted from the right (N = 1: the last entry). Entries further left were written by whoever sent the request
 * and are never believed. X-Forwarded-Proto and X-Forwarded-Host are read by the same rule, so a proxy that
 * overwrites them (one entry) and one that appends to them give the same answer.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

/**
 * The entry of a comma-separated forwarding header that the outermost of `hops` trusted proxies wrote, or
 * undefined when no proxy is trusted or the header is absent. With fewer entries than hops, every entry was
 * written by a trusted proxy and the leftmost is the furthest one known.
 */
export function trustedForwardedEntry(header: string | string[] | undefined, hops: number): string | undefined {
  if (hops <= 0 || header === undefined) return undefined;
  const entries = (Array.isArray(header) ? header.join(",") : header)
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[Math.max(0, entries.length - hops)];
}

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) is `192.0.2.1`: one person, one address. */
function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice("::ffff:".length) : address;
}

/** The client's address: the socket's peer, or with TRUST_PROXY the one the outermost trusted proxy saw. */
export function clientAddressOf(request: IncomingMessage, hops: number): string {
  const forwarded = trustedForwardedEntry(request.headers["x-forwarded-for"], hops);
  return normalizeAddress(forwarded ?? request.socket.remoteAddress ?? "unknown");
}

/** A Host header value and nothing else: a name or an IP literal, an optional port. */
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The origin (`https://chat.example`) people's browsers used to reach this request: the scheme of the connection
 * and the Host header, or with TRUST_PROXY the forwarded proto and host. Undefined when the host is missing or
 * not a host (then no Origin can match it).
 */
export function publicOriginOf(request: IncomingMessage, hops: number): string | undefined {
  const headers: IncomingHttpHeaders = request.headers;
  const encrypted = (request.socket as Partial<TLSSocket>).encrypted === true;
  const proto =
    trustedForwardedEntry(headers["x-forwarded-proto"], hops)?.toLowerCase() ?? (encrypted ? "https" : "http");
  const host = trustedForwardedEntry(headers["x-forwarded-host"], hops) ?? headers.host;
  if ((proto !== "http" && proto !== "https") || !host || !HOST.test(host)) return undefined;
  try {
    return new URL(`${proto}://${host}`).origin; // lower-cases the host and drops a default port, as Origin does
  } catch {
    return undefined;
  }
}
