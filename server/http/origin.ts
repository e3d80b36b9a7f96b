/**
 * The cross-site rule, one for HTTP and the Socket.IO handshake: a browser request that changes something must
 * come from the page's own origin (or one listed in ALLOWED_ORIGINS). Callers apply it only where the browser
 * sends credentials by itself (the session cookie); a client that sends its own token is no cross-site victim.
 */
import { type AnyHeaders, headerValue, publicOrigin } from "./request-facts";

export const CROSS_SITE_REFUSED = "cross-site request refused";

/** Methods that only read. Everything else changes state and is checked. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export function changesState(method: string | undefined): boolean {
  return !SAFE_METHODS.has((method ?? "GET").toUpperCase());
}

/**
 * True for a request a browser sent on behalf of another site. `Sec-Fetch-Site`, which browsers set and pages
 * cannot, decides first. Without it (older browsers) `Origin` must be the public origin of the request. With
 * neither header the client is not a browser, so there is no one to trick.
 */
export function isCrossSite(headers: AnyHeaders, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = headerValue(headers, "origin");
  if (origin !== undefined && allowedOrigins.has(origin)) return false;
  const site = headerValue(headers, "sec-fetch-site");
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  if (origin === undefined) return false;
  return origin !== publicOrigin(headers);
}
