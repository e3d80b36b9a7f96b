import { NextResponse } from "next/server";
import { authenticatedRoute, readJson } from "../../_http";

/** Marks everything the peer `{with}` sent the caller as read; the peer's ticks update live. */
export const POST = authenticatedRoute(async ({ chat, request, username }) =>
  NextResponse.json({ ids: await chat.markRead(username, await readJson(request)) }),
);
