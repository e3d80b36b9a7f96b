import { NextResponse } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth";
import { authenticatedRoute } from "../_http";

/**
 * Log out everywhere: every session of the caller ends (this one too), and every socket of those
 * sessions is disconnected at once; the cookie is cleared.
 */
export const DELETE = authenticatedRoute(async ({ accounts, username }) => {
  await accounts.logoutEverywhere(username);
  const response = new NextResponse(null, { status: 204 });
  response.cookies.delete(SESSION_COOKIE);
  return response;
});
