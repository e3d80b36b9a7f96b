/** The little that every route handler shares: who is calling, JSON in and out, errors as `{error}`. */
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE, tokenFromAuthorizationHeader } from "@/lib/auth";
import { appServices, type AppServices } from "@/lib/registry";
import { ChatError } from "@/lib/errors";

export function sessionToken(request: NextRequest): string | undefined {
  return (
    tokenFromAuthorizationHeader(request.headers.get("authorization")) ?? request.cookies.get(SESSION_COOKIE)?.value
  );
}

type Context = AppServices & { request: NextRequest };
type Handler = (context: Context) => Promise<Response>;
type AuthenticatedHandler = (context: Context & { username: string }) => Promise<Response>;

/** Runs a handler and turns ChatErrors into `{error}` responses with their status. */
export function route(handler: Handler) {
  return async (request: NextRequest): Promise<Response> => {
    try {
      return await handler({ ...appServices(), request });
    } catch (error) {
      if (ChatError.is(error)) return jsonError(error.status, error.message);
      console.error(`${request.method} ${request.nextUrl.pathname} failed:`, error);
      return jsonError(500, "internal error, please retry");
    }
  };
}

/** Like `route`, for callers with a valid session (cookie or `Authorization: Bearer`); others get 401. */
export function authenticatedRoute(handler: AuthenticatedHandler) {
  return route(async (context) => {
    const username = await context.chat.authenticate(sessionToken(context.request));
    if (!username) return jsonError(401, "unauthorized");
    return handler({ ...context, username });
  });
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
