/** The little that every route handler shares: who is calling, JSON in and out, errors as `{error}`. */
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE, tokenFromAuthorizationHeader } from "@/lib/auth";
import { appContext, type AppContext } from "@/lib/app-context";
import { ChatError } from "@/lib/errors";

export function sessionToken(request: NextRequest): string | undefined {
  return (
    tokenFromAuthorizationHeader(request.headers.get("authorization")) ?? request.cookies.get(SESSION_COOKIE)?.value
  );
}

/** A dynamic route's segments (`[device]` → `{ device: string }`); none for a static route. */
type Params = Record<string, string>;
type Context<P extends Params> = AppContext & { request: NextRequest; params: P };
type Handler<P extends Params> = (context: Context<P>) => Promise<Response>;
type AuthenticatedHandler<P extends Params> = (context: Context<P> & { username: string }) => Promise<Response>;
/** What Next passes a route handler beside the request. */
type Segment<P extends Params> = { params: Promise<P> };

/** Runs a handler and turns ChatErrors into `{error}` responses with their status. */
export function route<P extends Params = Params>(handler: Handler<P>) {
  return async (request: NextRequest, segment: Segment<P>): Promise<Response> => {
    try {
      return await handler({ ...appContext(), request, params: await segment.params });
    } catch (error) {
      if (ChatError.is(error)) return jsonError(error.status, error.message);
      console.error(`${request.method} ${request.nextUrl.pathname} failed:`, error);
      return jsonError(500, "internal error, please retry");
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

export async function readJson(request: NextRequest): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ChatError(400, "the request body must be JSON");
  }
}

export function jsonError(status: number, error: string): NextResponse {
  return NextResponse.json({ error }, { status });
}
