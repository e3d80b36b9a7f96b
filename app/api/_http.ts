/**
 * The little that every route handler shares: who is calling and from where, JSON in and out, errors as
 * `{error, code}`.
 * The server's edge (server/http) has already refused cross-site changes and bodies that announce too much, and
 * stamped the request's client address and public origin.
 */
import { NextResponse, type NextRequest } from "next/server";
import {
  SESSION_LIFETIME_MS,
  sessionCookieName,
  tokenFromAuthorizationHeader,
  tokenFromCookieHeader,
} from "@/lib/accounts/auth";
import { appContext, type AppContext } from "@/lib/app-context";
import { codeForStatus, type ErrorCode } from "@/lib/contract/codes";
import { ChatError, INTERNAL_ERROR } from "@/lib/errors";
import { BodyRefused, isJsonContentType, readLimitedText } from "@/server/http/body";
import { clientAddress, isSecureRequest } from "@/server/http/request-facts";
import { routeSettings } from "@/server/http/settings";

export function sessionToken(request: NextRequest): string | undefined {
  return (
    tokenFromAuthorizationHeader(request.headers.get("authorization")) ??
    tokenFromCookieHeader(request.headers.get("cookie"))
  );
}

/** A dynamic route's segments (`[device]` → `{ device: string }`); none for a static route. */
type Params = Record<string, string>;
type Context<P extends Params> = AppContext & {
  request: NextRequest;
  params: P;
  /** The caller's address: the socket's peer, or behind TRUST_PROXY the one the trusted proxy saw. */
  clientAddress: string;
};
type Handler<P extends Params> = (context: Context<P>) => Promise<Response>;
type AuthenticatedHandler<P extends Params> = (context: Context<P> & { username: string }) => Promise<Response>;
/** What Next passes a route handler beside the request. */
type Segment<P extends Params> = { params: Promise<P> };

/** Runs a handler and turns ChatErrors (and refused bodies) into `{error}` responses with their status. */
export function route<P extends Params = Params>(handler: Handler<P>) {
  return async (request: NextRequest, segment: Segment<P>): Promise<Response> => {
    try {
      return await handler({
        ...appContext(),
        request,
        params: await segment.params,
        clientAddress: clientAddress(request.headers),
      });
    } catch (error) {
      if (ChatError.is(error)) return chatError(error);
      if (BodyRefused.is(error)) return bodyRefused(error);
      console.error(`${request.method} ${request.nextUrl.pathname} failed:`, error);
      return jsonError(500, INTERNAL_ERROR.error, INTERNAL_ERROR.code);
    }
  };
}

/** Like `route`, for callers with a valid session (cookie or `Authorization: Bearer`); others get 401. */
export function authenticatedRoute<P extends Params = Params>(handler: AuthenticatedHandler<P>) {
  return route<P>(async (context) => {
    const username = await context.accounts.authenticate(sessionToken(context.request));
    if (!username) return jsonError(401, "unauthorized");
    return handler({ ...context, username });
  });
}

/**
 * The query string for a schema to validate, in a null-prototype object: whatever keys a caller
 * sends (`__proto__`, `constructor` …), a key the query lacks reads as missing, never as a member
 * of Object.prototype.
 */
export function readQuery(request: NextRequest): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  for (const [key, value] of request.nextUrl.searchParams) query[key] = value;
  return query;
}

/** The body as JSON: `application/json` only (415), at most MAX_BODY_BYTES (413, counted while it streams). */
export async function readJson(request: NextRequest): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new BodyRefused(415, "the request body must be application/json");
  }
  const text = await readLimitedText(request, routeSettings().maxBodyBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new ChatError(400, "the request body must be JSON");
  }
}

/** Sets the session cookie: `__Host-` and Secure when the request came over TLS, httpOnly, SameSite=Lax. */
export function setSessionCookie(response: NextResponse, request: NextRequest, token: string): void {
  const secure = isSecureRequest(request.headers);
  response.cookies.set(sessionCookieName(secure), token, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    maxAge: SESSION_LIFETIME_MS / 1000,
  });
}

/** Clears it with the same attributes, without which a browser ignores the removal of a `__Host-` cookie. */
export function clearSessionCookie(response: NextResponse, request: NextRequest): void {
  const secure = isSecureRequest(request.headers);
  response.cookies.set(sessionCookieName(secure), "", {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    maxAge: 0,
  });
}

/** An `{error, code}` answer (lib/contract/codes.ts); the code follows from the status unless one is given. */
export function jsonError(status: number, error: string, code: ErrorCode = codeForStatus(status)): NextResponse {
  return NextResponse.json({ error, code }, { status });
}

/** A ChatError's answer; a refusal that passes says when to ask again (Retry-After, in seconds). */
function chatError(error: ChatError): NextResponse {
  const response = jsonError(error.status, error.message, error.code);
  if (error.retryAfterSeconds !== undefined) response.headers.set("retry-after", String(error.retryAfterSeconds));
  return response;
}

/** The rest of a refused body is never read, so the connection closes rather than wait for it. */
function bodyRefused(error: BodyRefused): NextResponse {
  const response = jsonError(error.status, error.message);
  if (error.status === 413) response.headers.set("connection", "close");
  return response;
}
