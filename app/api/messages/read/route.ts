import { NextResponse } from "next/server";
import { authenticatedRoute, readJson } from "../../_http";

/** Marks everything the peer `{with}` sent the caller as read; the peer's ticks update live. READ_LIMIT_PER_USER (429). */
export const POST = authenticatedRoute(async ({ chat, request, username }) => {
  return NextResponse.json({ ids: await chat.markRead(username, () => readJson(request)) });
});
