/**
 * The account door: `POST /api/session`, the one route that logs in and signs up (the first login with a free name
 * claims it; app/api/users only lists people). Each request costs the server a trip through Next's router and the
 * route handler, several ms of the one event loop, before the login throttle or the hashing gate can refuse it, so
 * the edge counts them per client address first and refuses a flood without entering Next.
 *
 * This budget only bounds what a flood costs the server. Guessing passwords and claiming names stay bounded by the
 * throttle in the store (lib/login-throttle.ts), which holds across instances and restarts.
 */
import type { IncomingMessage } from "node:http";

const ACCOUNT_PATH = "/api/session";

/**
 * Whether the request is a login or sign-up. The path is compared after what a client could vary without
 * leaving the route (query, case, repeated and trailing slashes, percent-encoding): counting a request Next would
 * not route here costs nothing, missing one that it does would let a flood past.
 */
export function isAccountRequest(request: IncomingMessage): boolean {
  if (request.method !== "POST" || !request.url) return false;
  return normalizedPath(request.url) === ACCOUNT_PATH;
}

function normalizedPath(url: string): string {
  let path = url.split(/[?#]/, 1)[0]!;
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape: compare the raw path
  }
  return path
    .toLowerCase()
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "");
}

export function tooManyAccountRequests(retryAfterSeconds: number): string {
  return `too many login or sign-up attempts from your address: try again in ${retryAfterSeconds} s`;
}
