/**
 * The headers every response carries, pages, API and Socket.IO alike. Pages get a Content-Security-Policy with a
 * fresh nonce per request: the edge also puts it on the request, where Next finds it and marks its own scripts
 * with it, so no inline script without that nonce runs.
 */
import { randomBytes } from "node:crypto";

export interface HeaderSettings {
  /** `next dev` evaluates code (React's dev tooling) and injects styles, so its policy is relaxed. */
  dev: boolean;
  /** Strict-Transport-Security max-age in seconds for responses over TLS; 0 sends none. */
  hstsMaxAge: number;
}

export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/** The page's policy. `connect-src` names the page's own WebSocket origin: older browsers do not count ws: as 'self'. */
export function pagePolicy(nonce: string, origin: string | undefined, dev: boolean): string {
  const socketOrigin = origin ? ` ${origin.replace(/^http/, "ws")}` : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${socketOrigin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** JSON and Socket.IO answers are never documents: they may load nothing and be framed by no one. */
export const DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(policy: string, secure: boolean, settings: HeaderSettings): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": policy,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy":
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
  // Only over TLS: a browser ignores HSTS on plain HTTP, and on a TLS-less deployment it would lock people out.
  if (secure && settings.hstsMaxAge > 0) headers["Strict-Transport-Security"] = `max-age=${settings.hstsMaxAge}`;
  return headers;
}
