import { NextResponse } from "next/server";
import { authenticatedRoute, clearSessionCookie } from "../_http";

/**
 * Log out everywhere: every session of the caller ends (this one too), and every socket of those
 * sessions is disconnected at once; the cookie is cleared.
 */
export const DELETE = authenticatedRoute(async ({ accounts, request, username }) => {
  await accounts.logoutEverywhere(username);
  const response = new NextResponse(null, { status: 204 });
  clearSessionCookie(response, request);
  return response;
});
