import { NextResponse } from "next/server";
import { authenticatedRoute, clearSessionCookie, readJson, route, sessionToken, setSessionCookie } from "../_http";

/** Log in; the first login with a free username claims it (201). Past the hashing queue: 503 before any work. */
export const POST = route(async ({ accounts, request, clientAddress }) => {
  accounts.refuseIfHashingFull();
  const session = await accounts.login(await readJson(request), clientAddress);
  const response = NextResponse.json(
    { user: { username: session.username }, token: session.token },
    { status: session.created ? 201 : 200 },
  );
  setSessionCookie(response, request, session.token);
  return response;
});

/** Who the caller is logged in as. */
export const GET = authenticatedRoute(async ({ username }) => NextResponse.json({ user: { username } }));

/** Log out: the token stops working everywhere and the cookie is cleared. */
export const DELETE = authenticatedRoute(async ({ accounts, request }) => {
  await accounts.logout(sessionToken(request)!);
  const response = new NextResponse(null, { status: 204 });
  clearSessionCookie(response, request);
  return response;
});
