import { NextResponse } from "next/server";
import { authenticatedRoute } from "../../_http";

/** `!check`: the caller's unseen messages, oldest first, then marked seen. */
export const POST = authenticatedRoute(async ({ chat, username }) =>
  NextResponse.json({ messages: await chat.check(username) }),
);
